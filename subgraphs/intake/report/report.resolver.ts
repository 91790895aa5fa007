import { Arg, Ctx, Directive, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { DataSource } from 'typeorm';
import { narrative, NarrativeLanguage } from './narrative';
import { reconcile, SystemPart } from './reconciliation';
import { ReportInterval, splitPeriod } from './series';
import { badUserInput, unavailable } from '../../kit/errors';
import { InProcessFigures, ResolvedFigures } from '../../kit/report/figures';
import { checkReportAccess } from '../../kit/report/department-report';
import { LocalDateScalar, percent, period } from '../../kit/report/period';
import type { RequestContext } from '../../kit/subgraph';
import type { IntakeLoaders } from '../loaders';
import { DepartmentPart, parseReportKey, RegisterFigures, reportKey } from './report.data';
import { DepartmentReportRef, OneStopDepartmentReport, RatingFigures, ReceivedFigures, Report, ReportRates, REQUIRES_RECONCILIATION } from './report.types';

type Ctx = RequestContext<IntakeLoaders>;

interface Totals {
  carriedOver: number;
  resolved: ResolvedFigures;
  withdrawn: number;
  inProcess: InProcessFigures;
}

/** Adds up the departments' figures: the systems' own (gathered by the gateway) and the one-stop system's. */
export function addUp(parts: { carriedOver?: number; resolved?: ResolvedFigures; withdrawn?: number; inProcess?: InProcessFigures }[]): Totals {
  const t: Totals = { carriedOver: 0, withdrawn: 0, resolved: { total: 0, early: 0, onTime: 0, late: 0 }, inProcess: { total: 0, overdue: 0 } };
  for (const p of parts) {
    if (p.carriedOver === undefined) continue;
    t.carriedOver += p.carriedOver;
    t.withdrawn += p.withdrawn!;
    t.resolved.total += p.resolved!.total;
    t.resolved.early += p.resolved!.early;
    t.resolved.onTime += p.resolved!.onTime;
    t.resolved.late += p.resolved!.late;
    t.inProcess.total += p.inProcess!.total;
    t.inProcess.overdue += p.inProcess!.overdue;
  }
  return t;
}

type External = Parameters<typeof addUp>[0][number] & SystemPart;

export async function completeReport(db: DataSource, scopeId: string, register: RegisterFigures, external: External[]): Promise<Report> {
  const scope = parseReportKey(scopeId)!;
  const totals = addUp([...external, ...register.departments.map((d) => d.figures ?? {})]);
  const r = register.received;
  const res = totals.resolved;
  const rt = register.ratings;
  const report = Object.assign(new Report(), {
    id: scopeId,
    ...scope,
    ...totals,
    register,
    reconciliation: await reconcile(db, register, external),
    balanced: totals.carriedOver + r.total === res.total + totals.withdrawn + totals.inProcess.total,
    rates: Object.assign(new ReportRates(), {
      online: percent(r.online, r.total),
      direct: percent(r.direct, r.total),
      postal: percent(r.postal, r.total),
      early: percent(res.early, res.total),
      onTime: percent(res.onTime, res.total),
      late: percent(res.late, res.total),
      earlyOrOnTime: percent(res.early + res.onTime, res.total),
      returnedByPost: percent(register.returnedByPost, res.total),
      verySatisfied: percent(rt.verySatisfied, rt.total),
      satisfied: percent(rt.satisfied, rt.total),
      dissatisfied: percent(rt.dissatisfied, rt.total),
    }),
  });
  // A department system whose figures did not arrive (down, or a router that did not gather them): its part
  // would be missing from every total, so the totals are withheld rather than wrong; the rest still answers.
  const arrived = new Set(external.map((e) => e.reportKey).filter(Boolean));
  const missing = register.departments.filter((d) => !d.figures && !arrived.has(d.id)).map((d) => d.department.name);
  if (missing.length) {
    const error = unavailable(`totals withheld: the figures of ${missing.join(', ')} did not arrive from ${missing.length > 1 ? 'their systems' : 'its system'}; see reconciliation`);
    for (const field of WITHHELD_FIELDS) Object.defineProperty(report, field, { get: () => { throw error; } });
  }
  return report;
}

const WITHHELD_FIELDS = ['carriedOver', 'resolved', 'withdrawn', 'inProcess', 'balanced', 'rates'] as const;



@Resolver(() => Report)
export class ReportResolver {
  @Query(() => Report, {
    description:
      'The centre\'s report for a period (dates inclusive, Vietnam time), for all departments or one. Centre staff, ' +
      "report builders, and officers for their own department.",
  })
  async report(
    @Arg('from', () => LocalDateScalar) from: string,
    @Arg('to', () => LocalDateScalar) to: string,
    @Arg('departmentCode', () => String, { nullable: true }) departmentCode: string | null,
    @Ctx() ctx: Ctx,
  ): Promise<Report> {
    departmentCode ??= null;
    checkReportAccess(ctx.identity, departmentCode);
    period(from, to);
    if (departmentCode !== null && !(await ctx.loaders.department.load(departmentCode))) {
      throw badUserInput(`no department with code "${departmentCode.slice(0, 16)}"`, { field: 'departmentCode' });
    }
    return Object.assign(new Report(), { id: reportKey({ from, to, departmentCode }), from, to, departmentCode });
  }

  @Query(() => [Report], { description: 'The same report for each day, week (Monday to Sunday) or month of a period, for charts; at most 370 intervals.' })
  async reportSeries(
    @Arg('from', () => LocalDateScalar) from: string,
    @Arg('to', () => LocalDateScalar) to: string,
    @Arg('every', () => ReportInterval) every: ReportInterval,
    @Arg('departmentCode', () => String, { nullable: true }) departmentCode: string | null,
    @Ctx() ctx: Ctx,
  ): Promise<Report[]> {
    const first = await this.report(from, to, departmentCode ?? null, ctx);
    const intervals = splitPeriod(first.from, first.to, every);
    if (intervals.length > 370) throw badUserInput('at most 370 intervals: choose a longer interval', { field: 'every' });
    return intervals.map(([f, t]) => Object.assign(new Report(), { id: reportKey({ from: f, to: t, departmentCode: departmentCode ?? null }), from: f, to: t, departmentCode: departmentCode ?? null }));
  }

  @FieldResolver(() => ReceivedFigures)
  async received(@Root() r: Report, @Ctx() ctx: Ctx): Promise<ReceivedFigures> {
    return (await ctx.loaders.register.load(r.id)).received;
  }

  @FieldResolver(() => Int, { description: 'Results returned to applicants by post in the period.' })
  async returnedByPost(@Root() r: Report, @Ctx() ctx: Ctx): Promise<number> {
    return (await ctx.loaders.register.load(r.id)).returnedByPost;
  }

  @FieldResolver(() => RatingFigures)
  async ratings(@Root() r: Report, @Ctx() ctx: Ctx): Promise<RatingFigures> {
    return (await ctx.loaders.register.load(r.id)).ratings;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'The paragraph the centre publishes, from these figures, with any disagreement between systems; withheld with the totals.',
  })
  @Directive(REQUIRES_RECONCILIATION)
  narrative(
    @Root() r: Report & { register?: RegisterFigures },
    @Arg('language', () => NarrativeLanguage, { defaultValue: NarrativeLanguage.VI }) language: NarrativeLanguage,
  ): string {
    return narrative(r, r.register!, language);
  }

  @FieldResolver(() => [DepartmentReportRef], { description: 'Each department, busiest first (new dossiers).' })
  async byDepartment(@Root() r: Report, @Ctx() ctx: Ctx): Promise<unknown[]> {
    return (await ctx.loaders.register.load(r.id)).departments.map((d) =>
      d.figures ? oneStopPart(d) : d,
    );
  }
}

export const reportReferences = {
  Report: {
    async __resolveReference(ref: { id: string; byDepartment?: External[] }, ctx: Ctx) {
      const scope = parseReportKey(ref.id);
      if (!scope) return null;
      checkReportAccess(ctx.identity, scope.departmentCode);
      return completeReport(ctx.db, ref.id, await ctx.loaders.register.load(ref.id), ref.byDepartment ?? []);
    },
  },
  OneStopDepartmentReport: {
    async __resolveReference(ref: { id: string }, ctx: Ctx) {
      return departmentPart(ref.id, ctx);
    },
  },
};

/** A department's part, looked up by its key (department|from|to). */
export async function departmentPart(id: string, ctx: Ctx): Promise<unknown> {
  const key = parseReportKey(id);
  checkReportAccess(ctx.identity, key?.departmentCode ?? null);
  if (!key?.departmentCode) return null;
  const register = await ctx.loaders.register.load(id);
  const part = register.departments[0];
  if (!part) return null;
  return part.figures ? oneStopPart(part) : part;
}

function oneStopPart(d: DepartmentPart): OneStopDepartmentReport {
  return Object.assign(new OneStopDepartmentReport(), d, d.figures, { __typename: d.__typename, reportKey: d.id, unreportedDecisions: [], receivedDays: [] });
}

