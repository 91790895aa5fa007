import type { EntityManager } from 'typeorm';
import type { FrozenProcessing } from './period-close.handover';
import { canonicalJson, figuresDigest } from './period.store';
import { signClosure } from './period-revision';

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
 * Keeps a moving department's closed months as published where it goes: a month this system has not closed is
 * closed here with that department's figures alone (and signed in this audit chain); a month closed here already
 * must hold the same figures, since a closed month's rows are final. Again with the same months changes nothing.
 */
export async function adoptClosedPeriods(m: EntityManager, auditKey: string, system: string, departmentCode: string, periods: MovedPeriod[]): Promise<void> {
  for (const p of periods) {
    const [here] = await m.query(`SELECT figures FROM report_period WHERE month = $1::date`, [`${p.month}-01`]);
    if (here) {
      const kept = here.figures.departments?.[departmentCode];
      if (!kept || canonicalJson(kept) !== canonicalJson(p.figures)) {
        throw new PeriodConflict(`${system} closed ${p.month} without ${departmentCode}'s published figures; a closed month is final, so the move cannot bring them`);
      }
    } else {
      const figures = { departments: { [departmentCode]: p.figures } };
      const digest = figuresDigest(figures);
      await m.query(`INSERT INTO report_period (month, closed_at, closed_by, figures, digest) VALUES ($1::date, $2, $3, $4, $5)`,
        [`${p.month}-01`, p.closedAt, `moved:${p.closedBy}`.slice(0, 120), JSON.stringify(figures), digest]);
      await signClosure(m, auditKey, { subject: 'department:move', role: 'SERVICE' }, `move:${departmentCode}:${p.month}`, p.month, digest);
    }
  }
}
