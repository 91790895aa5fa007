import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { AuditLog } from '../audit/audit-log';
import type { Identity } from '../identity';
import { enqueue } from '../messaging/outbox';
import { PERIOD_RECORD } from './period.store';

/**
 * A department system tells the register of each revision it records, so that the register knows every system's
 * revisions of a month (ReportPeriod.revisionCount) and a cached report over it is answered afresh.
 */
export const PERIOD_REVISED = 'PERIOD_REVISED';
const REGISTER = 'intake';

export interface Revision {
  month: string;
  departmentCode: string;
  reason: string;
  /** Who made it: the operator of an import, or the system whose message brought it. */
  by: string;
  /** What makes it once: a re-run of the same correction (or the same message again) records nothing more. */
  batch: string;
}

export const batchOf = (...parts: string[]) => createHash('sha256').update(parts.join('\n')).digest('hex');

/**
 * Records a revision of a closed month in `system`, in the transaction of the change it explains, and signs it in
 * its audit chain (its reason's digest with it); a department system's is told to the register in the same
 * transaction. A month not closed here is no revision: its figures are still live. Whether it recorded one.
 */
export async function recordRevision(m: EntityManager, auditKey: string, system: string, r: Revision): Promise<boolean> {
  const inserted: unknown[] = await m.query(
    `INSERT INTO period_revision (month, department_code, reason, revised_by, batch)
     SELECT $1::date, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM report_period WHERE month = $1::date)
     ON CONFLICT (month, department_code, batch) DO NOTHING RETURNING id`,
    [`${r.month}-01`, r.departmentCode, r.reason, r.by.slice(0, 120), r.batch],
  );
  if (!inserted.length) return false;
  const who: Identity = { subject: r.by.slice(0, 120), role: 'SERVICE' };
  const audit = new AuditLog(who, r.batch, auditKey);
  audit.action = 'PERIOD_REVISION';
  await audit.writeIn(m, { dossierCode: `${PERIOD_RECORD}${r.month}:${r.departmentCode}`, departmentCode: r.departmentCode, applicantIdNumber: null },
    `reason:${createHash('sha256').update(r.reason).digest('hex')}`);
  if (system !== REGISTER) {
    await enqueue(m, [{ destination: REGISTER, dossierCode: `period:${r.month}`, type: PERIOD_REVISED, payload: { month: r.month, departmentCode: r.departmentCode, batch: r.batch } }]);
  }
  return true;
}

/** Signs a month's closure in this system's audit chain: the digest of the figures it froze. */
export async function signClosure(m: EntityManager, auditKey: string, who: Identity, requestId: string, month: string, digest: string): Promise<void> {
  const audit = new AuditLog(who, requestId, auditKey);
  audit.action = 'closeReportPeriod';
  await audit.writeIn(m, { dossierCode: `${PERIOD_RECORD}${month}`, departmentCode: null, applicantIdNumber: null }, `digest:${digest}`);
}
