import type { EntityManager } from 'typeorm';
import { RejectedMessage, type Handler } from '../messaging/handover';
import { figuresOf, FiguresRow, processingFiguresSelect, ProcessingFigures } from '../report/figures';
import { period } from '../report/period';
import { MONTH, monthDays, storePeriod } from './period.store';
import { signClosure } from './period-revision';

export const CLOSE_PERIOD = 'CLOSE_PERIOD';

/** A department's processing figures as a closed month keeps them. */
export type FrozenProcessing = Omit<ProcessingFigures, 'departmentCode'>;

/** What a department system freezes: each department it holds records of. */
export interface ProcessingSnapshot {
  departments: Record<string, FrozenProcessing>;
}

/** The processing figures of a month for the given departments, live, from the rollups (one statement). */
export async function processingFiguresFor(m: EntityManager, months: string[], departments: string[]): Promise<Map<string, ProcessingFigures>> {
  if (!months.length || !departments.length) return new Map();
  const periods = months.map((x) => { const d = monthDays(x); return period(d.from, d.to); });
  const rows: FiguresRow[] = await m.query(
    `WITH p AS (SELECT * FROM unnest($1::date[], $2::date[], $3::timestamptz[]) AS p(p_from, p_to, p_end)),
          d AS (SELECT unnest($4::text[]) AS code)
     ${processingFiguresSelect('p', 'd')}`,
    [periods.map((p) => p.from), periods.map((p) => p.to), periods.map((p) => p.end), departments],
  );
  return new Map(rows.map((r) => [`${r.p_from.slice(0, 7)}|${r.department_code}`, figuresOf(r)]));
}

export const frozen = ({ departmentCode: _, ...f }: ProcessingFigures): FrozenProcessing => f;

/** Every department this system holds figures of, frozen for the month. */
export async function processingSnapshot(m: EntityManager, month: string): Promise<ProcessingSnapshot> {
  const codes: { code: string }[] = await m.query(
    `SELECT department_code AS code FROM report_month UNION SELECT department_code FROM report_day UNION SELECT DISTINCT department_code FROM processing ORDER BY 1`,
  );
  const live = await processingFiguresFor(m, [month], codes.map((c) => c.code));
  return { departments: Object.fromEntries(codes.map((c) => [c.code, frozen(live.get(`${month}|${c.code}`)!)])) };
}

/**
 * The register closed a month: this system freezes its own figures for it (once, whenever the message comes) and
 * signs them in its audit chain. Its figures for a past month do not move with today's work, so freezing them
 * when the message arrives freezes what they were at the close.
 */
export function receivePeriodClose(system: string, auditKey: string): Handler {
  return async (m, message) => {
    const p = message.payload;
    if (typeof p.month !== 'string' || !MONTH.test(p.month) || Number.isNaN(Date.parse(p.closedAt))) {
      throw new RejectedMessage('not a period closure');
    }
    const closed = await storePeriod(m, p.month, new Date(p.closedAt), `${message.source}:${String(p.closedBy ?? '').slice(0, 100)}`,
      () => processingSnapshot(m, p.month));
    if (closed) await signClosure(m, auditKey, { subject: system, role: 'SERVICE' }, message.id, p.month, closed.digest);
  };
}
