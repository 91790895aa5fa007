import type { EntityManager } from 'typeorm';
import { composeProcessing, monthsTouched, revisionsOf, ZERO } from '../../kit/periods/period.answer';
import { frozen, FrozenProcessing } from '../../kit/periods/period-close.handover';
import { monthDays, periodsOf, wholeMonths } from '../../kit/periods/period.store';
import { period } from '../../kit/report/period';
import { RegisterFigures, registerFiguresOf, registerRows, ReportScope, Statement } from './report.data';
import type { RatingFigures, ReceivedFigures } from './report.types';

/** A department's register figures for a month as the closure keeps them (the one-stop system's processing too). */
export interface FrozenRegisterPart {
  received: ReceivedFigures;
  decidedRecorded: number;
  returned: number;
  returnedByPost: number;
  ratings: RatingFigures;
  figures?: FrozenProcessing;
}

export interface RegisterSnapshot {
  centre: Omit<FrozenRegisterPart, 'decidedRecorded' | 'figures'>;
  departments: Record<string, FrozenRegisterPart>;
}

const NO_PART: FrozenRegisterPart = {
  received: { total: 0, online: 0, direct: 0, postal: 0 },
  decidedRecorded: 0,
  returned: 0,
  returnedByPost: 0,
  ratings: { total: 0, verySatisfied: 0, satisfied: 0, dissatisfied: 0 },
};

/** The register's figures of each month for the centre and each department, live, in one statement. */
async function registerParts(q: Statement, months: string[], codes: string[]): Promise<{ centre: Map<string, RegisterSnapshot['centre']>; parts: Map<string, FrozenRegisterPart> }> {
  const scopes: ReportScope[] = months.flatMap((month) => {
    const { from, to } = monthDays(month);
    return [{ from, to, departmentCode: null }, ...codes.map((c) => ({ from, to, departmentCode: c }))];
  });
  const periods = scopes.map((s) => period(s.from, s.to));
  const rows = await registerRows(q, scopes, periods);
  const centre = new Map<string, RegisterSnapshot['centre']>();
  const parts = new Map<string, FrozenRegisterPart>();
  scopes.forEach((s, i) => {
    const f = registerFiguresOf(rows, s, periods[i], i + 1);
    const month = s.from.slice(0, 7);
    const common = { received: f.received, returned: f.returned, returnedByPost: f.returnedByPost, ratings: f.ratings };
    if (s.departmentCode === null) {
      centre.set(month, common);
      return;
    }
    const d = f.departments[0];
    if (!d) return;
    parts.set(`${month}|${s.departmentCode}`, { ...common, decidedRecorded: d.decidedRecorded, ...(d.figures ? { figures: frozen(d.figures) } : {}) });
  });
  return { centre, parts };
}

/** What the register freezes when a month is closed: the centre's figures and each department's. */
export async function registerSnapshot(m: EntityManager, month: string): Promise<RegisterSnapshot> {
  const codes: string[] = (await m.query('SELECT code FROM department ORDER BY code')).map((r: { code: string }) => r.code);
  const { centre, parts } = await registerParts((_, text, values) => m.query(text, values), [month], codes);
  return { centre: centre.get(month)!, departments: Object.fromEntries(codes.map((c) => [c, parts.get(`${month}|${c}`) ?? NO_PART])) };
}

/** Counts of consecutive months added up, key by key (received by channel, ratings by level). */
function add<T extends object>(list: T[]): T {
  const sum: Record<string, number> = {};
  for (const x of list) for (const [k, v] of Object.entries(x)) sum[k] = (sum[k] ?? 0) + (v as number);
  return sum as T;
}

/**
 * The register's figures of each scope, as published where every month of its period is closed here, with the
 * revisions of the months it touches. The reconciliation's digests and hand-overs in flight stay live: they say
 * where the systems stand now. No statement more while no month of them is closed; then one, and one more when
 * there are revisions.
 */
export async function withPublished(q: Statement, live: RegisterFigures[], scopes: ReportScope[], closedMonths: string[]): Promise<RegisterFigures[]> {
  if (!closedMonths.length) return live;
  const touched = scopes.map((s) => monthsTouched(s.from, s.to));
  const { closed, revisions } = await periodsOf<RegisterSnapshot>((text, values) => q('report-periods', text, values), closedMonths);
  const recounted = revisions.length
    ? (await registerParts(q, [...new Set(revisions.map((r) => r.month))], [...new Set(revisions.map((r) => r.departmentCode))])).parts
    : new Map<string, FrozenRegisterPart>();
  const frozenPart = (month: string, code: string) => closed.get(month)!.figures.departments[code] ?? NO_PART;
  return live.map((f, i) => {
    const scope = scopes[i];
    const mine = revisions.filter((r) => touched[i].includes(r.month) && (scope.departmentCode === null || r.departmentCode === scope.departmentCode));
    const withRevisions = {
      ...f,
      revisions: revisionsOf('intake', mine, closed, (r) => frozenPart(r.month, r.departmentCode), (r) => recounted.get(`${r.month}|${r.departmentCode}`) ?? NO_PART),
    };
    const whole = wholeMonths(scope.from, scope.to);
    if (!whole?.every((m) => closed.has(m))) return withRevisions;
    const whose = (m: string) => (scope.departmentCode === null ? closed.get(m)!.figures.centre : frozenPart(m, scope.departmentCode));
    const departments = f.departments
      .map((d) => {
        const months = whole.map((m) => frozenPart(m, d.departmentCode));
        return {
          ...d,
          received: add(months.map((x) => x.received)),
          decidedRecorded: months.reduce((s, x) => s + x.decidedRecorded, 0),
          ...(d.figures ? { figures: { departmentCode: d.departmentCode, ...composeProcessing(months.map((x) => x.figures ?? ZERO)) } } : {}),
        };
      })
      .sort((a, b) => b.received.total - a.received.total || a.departmentCode.localeCompare(b.departmentCode));
    return {
      ...withRevisions,
      published: true,
      received: add(whole.map((m) => whose(m).received)),
      returned: whole.reduce((s, m) => s + whose(m).returned, 0),
      returnedByPost: whole.reduce((s, m) => s + whose(m).returnedByPost, 0),
      ratings: add(whole.map((m) => whose(m).ratings)),
      departments,
    };
  });
}
