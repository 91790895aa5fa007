import { AuditRecord1795698492634 } from './1795698492634-audit-record';

/** The audit trail's table, in every subgraph's database. */
export const auditMigrations: Function[] = [AuditRecord1795698492634];
