import { AuditRecord1795698492634 } from './1795698492634-audit-record';
import { AuditKeyed1796900000000 } from './1796900000000-audit-keyed';
import { AccessShipment1797000000000 } from './1797000000000-access-shipment';

/** The audit trail's table and the checkpoints other systems send, in every subgraph's database. */
export const auditMigrations: Function[] = [AuditRecord1795698492634, AuditKeyed1796900000000, AccessShipment1797000000000];
