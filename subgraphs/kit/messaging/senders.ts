import { DEPARTMENT_SYSTEMS, SUBGRAPHS } from '../../registry';
import { REVIVE_DEAD } from './queue/revive';
import { AUDIT_CHECKPOINT } from '../audit/audit-checkpoint';
import { CLOSE_PERIOD } from '../periods/period-close.handover';
import { PERIOD_REVISED } from '../periods/period-revision';
import { ACCESS_HOLDER, DATA_ACCESSES } from '../audit/access-shipping';

const INTAKE = 'intake';
const POSTAL = 'postal';

/**
 * Who may send each message type: a receiver refuses a type from any other system, however well signed. The
 * register checks more for STATUS: only the dossier's own processing system reports on it.
 */
export const SENDERS: Readonly<Record<string, readonly string[]>> = {
  // The centre hands a dossier to its department, withdraws it, returns its result.
  HANDOVER: [INTAKE],
  WITHDRAWN: [INTAKE],
  RESULT_RETURNED: [INTAKE],
  // The centre's register owns the province's calendar; each department system keeps a copy.
  CALENDAR: [INTAKE],
  // The centre closes a reporting period; each department system freezes its own figures for it.
  [CLOSE_PERIOD]: [INTAKE],
  // …and each tells the register of a revision it records.
  [PERIOD_REVISED]: DEPARTMENT_SYSTEMS.map((s) => s.name),
  // The centre tells the post what to carry.
  INBOUND_RECEIVED: [INTAKE],
  OUTBOUND: [INTAKE],
  // The post reports a shipment to the centre.
  SHIPMENT: [POSTAL],
  // A department's system reports its dossiers' steps to the centre.
  STATUS: DEPARTMENT_SYSTEMS.map((s) => s.name),
  // Any system's operator may ask the others to revive what they hold dead (retryDeadHandovers).
  [REVIVE_DEAD]: SUBGRAPHS.map((s) => s.name),
  // Every system anchors its audit chain's head in another's database (intake holds the others', postal intake's).
  [AUDIT_CHECKPOINT]: SUBGRAPHS.map((s) => s.name),
  // Every other system ships the accesses its audit logged to the register, which answers the citizens' view.
  [DATA_ACCESSES]: SUBGRAPHS.map((s) => s.name).filter((n) => n !== ACCESS_HOLDER),
};
