import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { badUserInput } from '../errors';
import { localTime } from '../calendar/working-time';
import type { FigureChange } from './period.types';

/** Audit records of a reporting period (its closing digest, its revisions) are named so, not after a dossier. */
export const PERIOD_RECORD = 'period:';

/** A reporting month as clients and messages name it: YYYY-MM. */
export const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** "2020-04" → its first and last day. */
export function monthDays(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` };
}

/** A month a client names, checked: YYYY-MM, and over (its last instant, Vietnam time, before `now`). */
export function parseClosableMonth(value: string, now: Date): string {
  if (!MONTH.test(value)) throw badUserInput('month: YYYY-MM, as "2020-04"', { field: 'month' });
  const end = localTime(monthDays(value).to).getTime() + 86_400_000;
  if (end > now.getTime()) throw badUserInput(`month: ${value} has not ended; a month is closed once it is over`, { field: 'month' });
  return value;
}

/**
 * The months a period is made of when it is whole months (from the 1st to a last day), else null: only such a
 * period can be answered from closed months' snapshots.
 */
export function wholeMonths(from: string, to: string): string[] | null {
  if (!from.endsWith('-01') || monthDays(to.slice(0, 7)).to !== to) return null;
  const months: string[] = [];
  for (let m = from.slice(0, 7); m <= to.slice(0, 7); ) {
    months.push(m);
    const [y, mm] = m.split('-').map(Number);
    m = mm === 12 ? `${y + 1}-01` : `${y}-${String(mm + 1).padStart(2, '0')}`;
  }
  return months;
}

/** The month ("YYYY-MM") of an instant, Vietnam time. */
export const monthOf = (at: Date) => new Date(at.getTime() + 7 * 3_600_000).toISOString().slice(0, 7);

/** Sorted keys at every level, so that the digest does not depend on how jsonb ordered them. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export const figuresDigest = (figures: unknown) => createHash('sha256').update(canonicalJson(figures)).digest('hex');

export interface ClosedPeriod<F> {
  month: string;
  closedAt: Date;
  closedBy: string;
  figures: F;
  digest: string;
}

/**
 * Closing a month takes it exclusively (one closure at a time, the second finds it closed); a write dated in a past
 * month takes it shared, so it either commits before the snapshot is taken or finds the month closed.
 */
const PERIOD_LOCK = 7_300_001;

/** The closed month an instant falls in, or null; a write dated in a past month holds the period lock until it commits. */
export async function closedMonthAt(m: EntityManager, at: Date, now = new Date()): Promise<string | null> {
  const month = monthOf(at);
  if (month === monthOf(now)) return null;
  await m.query('SELECT pg_advisory_xact_lock_shared($1)', [PERIOD_LOCK]);
  const [row] = await m.query(`SELECT 1 FROM report_period WHERE month = $1::date`, [`${month}-01`]);
  return row ? month : null;
}

/**
 * Freezes this system's figures for a month (computed by `snapshot` in the same transaction), unless it is closed
 * already: the closure kept, or null when it was there before.
 */
export async function storePeriod<F>(m: EntityManager, month: string, closedAt: Date, closedBy: string, snapshot: () => Promise<F>): Promise<ClosedPeriod<F> | null> {
  await m.query('SELECT pg_advisory_xact_lock($1)', [PERIOD_LOCK]);
  if ((await m.query(`SELECT 1 FROM report_period WHERE month = $1::date`, [`${month}-01`])).length) return null;
  const figures = await snapshot();
  const digest = figuresDigest(figures);
  await m.query(`INSERT INTO report_period (month, closed_at, closed_by, figures, digest) VALUES ($1::date, $2, $3, $4, $5)`,
    [`${month}-01`, closedAt, closedBy, JSON.stringify(figures), digest]);
  return { month, closedAt, closedBy, figures, digest };
}

export async function closedPeriod<F>(db: DataSource | EntityManager, month: string): Promise<ClosedPeriod<F> | undefined> {
  const [row] = await db.query(
    `SELECT to_char(month, 'YYYY-MM') AS month, closed_at AS "closedAt", closed_by AS "closedBy", figures, digest FROM report_period WHERE month = $1::date`,
    [`${month}-01`],
  );
  return row;
}

export interface RevisionRow {
  month: string;
  departmentCode: string;
  reason: string;
  at: Date;
}

/**
 * A column of a report statement: which of the months in parameter `param` are closed. The snapshots are read only
 * when one is, so an open period costs no statement more.
 */
export const closedMonthsColumn = (param: string) =>
  `(SELECT coalesce(array_agg(to_char(month, 'YYYY-MM')), '{}') FROM report_period WHERE month = ANY(${param}::date[])) AS closed_months`;

/** The months as the dates closedMonthsColumn's parameter takes. */
export const monthDates = (months: string[]) => [...new Set(months)].map((m) => `${m}-01`);

export type Query = (text: string, values: unknown[]) => Promise<any[]>;

/**
 * The snapshots of the given months that are closed (with the departments moved here since, as published where they
 * were), and the revisions made to them since, in one statement.
 */
export async function periodsOf<F>(query: Query, months: string[]): Promise<{ closed: Map<string, ClosedPeriod<F>>; revisions: RevisionRow[] }> {
  if (!months.length) return { closed: new Map(), revisions: [] };
  const [row] = await query(
    `SELECT (SELECT coalesce(json_agg(json_build_object('month', to_char(p.month, 'YYYY-MM'), 'closedAt', p.closed_at, 'closedBy', p.closed_by,
                                                       'figures', CASE WHEN a.departments IS NULL THEN p.figures
                                                                  ELSE jsonb_set(p.figures, '{departments}', coalesce(p.figures->'departments', '{}') || a.departments) END,
                                                       'digest', p.digest)), '[]')
               FROM report_period p
               LEFT JOIN LATERAL (SELECT jsonb_object_agg(x.department_code, x.figures) AS departments FROM period_adopted x WHERE x.month = p.month) a ON true
              WHERE p.month = ANY($1::date[])) AS closed,
            (SELECT coalesce(json_agg(json_build_object('month', to_char(r.month, 'YYYY-MM'), 'departmentCode', r.department_code,
                                                       'reason', r.reason, 'at', r.at) ORDER BY r.at, r.id), '[]')
               FROM period_revision r WHERE r.month = ANY($1::date[])) AS revisions`,
    [[...new Set(months)].map((m) => `${m}-01`)],
  );
  const closed = new Map<string, ClosedPeriod<F>>(row.closed.map((p: ClosedPeriod<F>) => [p.month, { ...p, closedAt: new Date(p.closedAt) }]));
  return { closed, revisions: row.revisions.map((r: RevisionRow) => ({ ...r, at: new Date(r.at) })) };
}

/** Every leaf number of two figure objects that differ, named by its path (received.online). */
export function changedFigures(published: unknown, revised: unknown, prefix = ''): FigureChange[] {
  const keys = new Set([...Object.keys((published as object) ?? {}), ...Object.keys((revised as object) ?? {})]);
  const out: FigureChange[] = [];
  for (const k of [...keys].sort()) {
    const a = (published as Record<string, unknown> | undefined)?.[k];
    const b = (revised as Record<string, unknown> | undefined)?.[k];
    const name = prefix ? `${prefix}.${k}` : k;
    if (typeof a === 'number' || typeof b === 'number') {
      if ((a ?? 0) !== (b ?? 0)) out.push({ figure: name, published: (a as number) ?? 0, revised: (b as number) ?? 0 });
    } else if ((a && typeof a === 'object') || (b && typeof b === 'object')) {
      out.push(...changedFigures(a, b, name));
    }
  }
  return out;
}
