import type { DataSource } from 'typeorm';
import type { ProcessingFigures } from '../report/figures';
import { frozen, FrozenProcessing, processingFiguresFor, ProcessingSnapshot } from './period-close.handover';
import { changedFigures, monthDays, periodsOf, RevisionRow, wholeMonths, type ClosedPeriod } from './period.store';
import type { ReportRevision } from './period.types';

export const ZERO: FrozenProcessing = { receivedCount: 0, carriedOver: 0, withdrawn: 0, resolved: { total: 0, early: 0, onTime: 0, late: 0 }, inProcess: { total: 0, overdue: 0 } };

/**
 * Consecutive months as one period: carried over from the first, in process at the end of the last, the flows
 * added up, exactly what a recount over the whole period gives.
 */
export function composeProcessing(months: FrozenProcessing[]): FrozenProcessing {
  const sum = (f: (x: FrozenProcessing) => number) => months.reduce((s, x) => s + f(x), 0);
  return {
    receivedCount: sum((x) => x.receivedCount),
    carriedOver: months[0].carriedOver,
    withdrawn: sum((x) => x.withdrawn),
    resolved: { total: sum((x) => x.resolved.total), early: sum((x) => x.resolved.early), onTime: sum((x) => x.resolved.onTime), late: sum((x) => x.resolved.late) },
    inProcess: months[months.length - 1].inProcess,
  };
}

/** Every month a period touches, whole or in part. */
export const monthsTouched = (from: string, to: string): string[] => wholeMonths(`${from.slice(0, 7)}-01`, monthDays(to.slice(0, 7)).to)!;

export interface PublishedPart {
  /** The figures as published, when every month of the period is closed here. */
  figures?: FrozenProcessing;
  revisions: ReportRevision[];
}

/**
 * What this system published for each key (department, from, to) of a request: its closed months' figures, and the
 * revisions made to the months the period touches, each with what differs now. At most two statements, whatever
 * the number of keys, and none when no month of them is closed (`closedMonths`, from the report's own statement).
 */
export async function publishedProcessing(db: DataSource, system: string, keys: { departmentCode: string; from: string; to: string }[], closedMonths: string[]): Promise<PublishedPart[]> {
  if (!closedMonths.length) return keys.map(() => ({ revisions: [] }));
  const touched = keys.map((k) => monthsTouched(k.from, k.to));
  const { closed, revisions } = await periodsOf<ProcessingSnapshot>((t, v) => db.query(t, v), closedMonths);
  const live = revisions.length
    ? await processingFiguresFor(db.manager, [...new Set(revisions.map((r) => r.month))], [...new Set(revisions.map((r) => r.departmentCode))])
    : new Map<string, ProcessingFigures>();
  const frozenOf = (month: string, code: string) => closed.get(month)!.figures.departments[code] ?? ZERO;
  return keys.map((k, i) => {
    const whole = wholeMonths(k.from, k.to);
    const published = whole?.every((m) => closed.has(m)) ? composeProcessing(whole.map((m) => frozenOf(m, k.departmentCode))) : undefined;
    return {
      ...(published ? { figures: published } : {}),
      revisions: revisionsOf(system, revisions.filter((r) => r.departmentCode === k.departmentCode && touched[i].includes(r.month)), closed,
        (r) => frozenOf(r.month, r.departmentCode), (r) => { const f = live.get(`${r.month}|${r.departmentCode}`); return f ? frozen(f) : ZERO; }),
    };
  });
}

/** Revisions with what differs now between the month's published and recounted figures of their department. */
export function revisionsOf<F>(system: string, rows: RevisionRow[], closed: Map<string, ClosedPeriod<unknown>>, published: (r: RevisionRow) => F, revised: (r: RevisionRow) => F): ReportRevision[] {
  return rows.filter((r) => closed.has(r.month)).map((r) => ({
    system,
    month: r.month,
    departmentCode: r.departmentCode,
    reason: r.reason,
    at: r.at,
    changes: changedFigures(published(r), revised(r)),
  }));
}
