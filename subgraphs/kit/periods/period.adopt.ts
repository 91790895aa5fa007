import type { EntityManager } from 'typeorm';
import type { FrozenProcessing } from './period-close.handover';
import { AuditLog } from '../audit/audit-log';
import { canonicalJson, figuresDigest, PERIOD_RECORD } from './period.store';

/**
 * A department's closed month as the system it leaves published it. Revisions recorded there stay there: that
 * system reports them, with the figures it revised.
 */
export interface MovedPeriod {
  month: string;
  closedAt: Date;
  closedBy: string;
  figures: FrozenProcessing;
}

export class PeriodConflict extends Error {}

/**
 * Keeps a moving department's closed months as published where it goes, each signed in this audit chain: a month
 * this system has not closed is closed here with that department's figures alone; one closed here already, which is
 * final, keeps them beside it (period_adopted). Again with the same months changes nothing.
 */
export async function adoptClosedPeriods(m: EntityManager, auditKey: string, from: string, departmentCode: string, periods: MovedPeriod[]): Promise<void> {
  for (const p of periods) {
    const month = `${p.month}-01`;
    const [here] = await m.query(
      `SELECT p.figures->'departments'->$2 AS own, (SELECT figures FROM period_adopted WHERE month = p.month AND department_code = $2) AS adopted
         FROM report_period p WHERE p.month = $1::date`, [month, departmentCode]);
    const kept = here?.adopted ?? here?.own;
    if (kept) {
      if (canonicalJson(kept) !== canonicalJson(p.figures)) {
        throw new PeriodConflict(`${departmentCode}'s published figures of ${p.month} here differ from those ${from} published; a closed month is final`);
      }
      continue;
    }
    let digest: string;
    if (here) {
      digest = figuresDigest(p.figures);
      await m.query(`INSERT INTO period_adopted (month, department_code, figures, digest, from_system) VALUES ($1::date, $2, $3, $4, $5)`,
        [month, departmentCode, JSON.stringify(p.figures), digest, from]);
    } else {
      const figures = { departments: { [departmentCode]: p.figures } };
      digest = figuresDigest(figures);
      await m.query(`INSERT INTO report_period (month, closed_at, closed_by, figures, digest) VALUES ($1::date, $2, $3, $4, $5)`,
        [month, p.closedAt, `${from}:${p.closedBy}`.slice(0, 120), JSON.stringify(figures), digest]);
    }
    const audit = new AuditLog({ subject: 'department:move', role: 'SERVICE' }, `move:${departmentCode}:${p.month}`, auditKey);
    audit.action = 'adoptReportPeriod';
    await audit.writeIn(m, { dossierCode: `${PERIOD_RECORD}${p.month}:${departmentCode}`, departmentCode, applicantIdNumber: null }, `digest:${digest}`);
  }
}
