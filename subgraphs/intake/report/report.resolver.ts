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
import { DepartmentReportRef, OneStopDepartmentReport, RatingFigures, ReceivedFigures, Reconciliation, Report, ReportRates, REQUIRES_FIGURES, REQUIRES_RECONCILIATION, REQUIRES_REVISIONS } from './report.types';
import { ReportRevision } from '../../kit/periods/period.types';

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

type External = Parameters<typeof addUp>[0][number] & SystemPart & { published?: boolean; revisions?: ReportRevision[] };

/** A report with its parts: what the reconciliation field compares, when it is asked for. */
export type CompletedReport = Report & { register: RegisterFigures; external: External[]; reconciling?: Promise<Reconciliation> };

/** A system's part the router gathered figures for: the revisions' @requires alone gathers none. */
const hasFigures = (e: External) => e.carriedOver !== undefined && e.withdrawn !== undefined && e.resolved !== undefined && e.inProcess !== undefined;

export function completeReport(scopeId: string, register: RegisterFigures, external: External[]): CompletedReport {
  const scope = parseReportKey(scopeId)!;
  const figured = external.filter(hasFigures);
  const totals = addUp([...figured, ...register.departments.map((d) => d.figures ?? {})]);
  const r = register.received;
  const res = totals.resolved;
  const rt = register.ratings;
  const report = Object.assign(new Report(), {
    id: scopeId,
    ...scope,
    ...totals,
    register,
    external,
    balanced: totals.carriedOver + r.total === res.total + totals.withdrawn + totals.inProcess.total,
    rates: Object.assign(new ReportRates(), {
      online: percent(r.online, r.total),
      direct: percent(r.direct, r.total),
      postal: percent(r.postal, r.total),
      early: percent(res.early, res.total),
      onTime: percent(res.onTime, res.total),
      late: percent(res.late, res.total),
      earlyOrOnTime: percent(res.early + res.onTime, res.total),
      returnedByPost: percent(register.returnedByPost, register.returned),
      verySatisfied: percent(rt.verySatisfied, rt.total),
      satisfied: percent(rt.satisfied, rt.total),
      dissatisfied: percent(rt.dissatisfied, rt.total),
    }),
  });
  // A department system whose figures did not arrive (down, or a router that did not gather them): its part
  // would be missing from every total, so the totals are withheld rather than wrong; the rest still answers.
  const arrived = new Set(figured.map((e) => e.reportKey));
  const missing = register.departments.filter((d) => !d.figures && !arrived.has(d.id)).map((d) => d.department.name);
  if (missing.length) {
    const error = unavailable(`totals withheld: the figures of ${missing.join(', ')} did not arrive from ${missing.length > 1 ? 'their systems' : 'its system'}; see reconciliation`);
    const withhold = (target: object, fields: readonly string[]) => {
      for (const field of fields) Object.defineProperty(target, field, { get: () => { throw error; } });
    };
    withhold(report, WITHHELD_FIELDS);
    // The channel, post-return and rating rates are the register's alone and stay.
    withhold(report.rates, WITHHELD_RATES);
  }
  return report as CompletedReport;
}

const WITHHELD_FIELDS = ['carriedOver', 'resolved', 'withdrawn', 'inProcess', 'balanced'] as const;
const WITHHELD_RATES = ['early', 'onTime', 'late', 'earlyOrOnTime'] as const;

/** The reconciliation of a report, computed once however many fields need it; a failure to compare is a problem. */
function reconciliationOf(r: CompletedReport, db: DataSource, log: Ctx['log']): Promise<Reconciliation> {
  r.reconciling ??= reconcile(db, r.register, r.external).catch((e: unknown) => {
    log.error({ type: (e as Error).name, sqlState: (e as { code?: string }).code }, 'reconciliation by day failed');
    return Object.assign(new Reconciliation(), { consistent: false, problems: ['the register could not compare the systems\' dossiers day by day; try again'] });
  });
  return r.reconciling;
}



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
  async narrative(
    @Root() r: CompletedReport,
    @Arg('language', () => NarrativeLanguage, { defaultValue: NarrativeLanguage.VI }) language: NarrativeLanguage,
    @Ctx() ctx: Ctx,
  ): Promise<string> {
    return narrative(r, r.register, await reconciliationOf(r, ctx.db, ctx.log), language);
  }

  @FieldResolver(() => Reconciliation, { description: 'Where the systems disagree with the register about the period, so that someone can act.' })
  @Directive(REQUIRES_RECONCILIATION)
  reconciliation(@Root() r: CompletedReport, @Ctx() ctx: Ctx): Promise<Reconciliation> {
    return reconciliationOf(r, ctx.db, ctx.log);
  }

  @FieldResolver(() => [DepartmentReportRef], { description: 'Each department, busiest first (new dossiers).' })
  async byDepartment(@Root() r: Report, @Ctx() ctx: Ctx): Promise<unknown[]> {
    const register = await ctx.loaders.register.load(r.id);
    return register.departments.map((d) => (d.figures ? oneStopPart(d, register) : d));
  }

  @FieldResolver(() => Boolean, {
    nullable: true,
    description:
      'True when the period is whole months that the centre closed (closeReportPeriod) and every system froze: the figures ' +
      'are then the published ones, identical every time, and a later change shows in revisions instead. False while a ' +
      'period is open, or a system has not frozen its part yet.',
  })
  @Directive(REQUIRES_FIGURES)
  published(@Root() r: CompletedReport): boolean {
    const arrived = new Map(r.external.filter((e) => e.reportKey).map((e) => [e.reportKey!, e]));
    return r.register.published && r.register.departments.every((d) => d.figures || arrived.get(d.id)?.published === true);
  }

  @FieldResolver(() => [ReportRevision], {
    nullable: true,
    description:
      'Changes made to the closed months the period touches after they were published, in every system, oldest first: ' +
      'each with its reason and the figures that differ now from the published ones.',
  })
  @Directive(REQUIRES_REVISIONS)
  revisions(@Root() r: CompletedReport): ReportRevision[] {
    return [...r.register.revisions, ...r.external.flatMap((e) => e.revisions ?? [])]
      .sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime() || a.system.localeCompare(b.system));
  }
}

export const reportReferences = {
  Report: {
    async __resolveReference(ref: { id: string; byDepartment?: External[] }, ctx: Ctx) {
      const scope = parseReportKey(ref.id);
      if (!scope) return null;
      checkReportAccess(ctx.identity, scope.departmentCode);
      return completeReport(ref.id, await ctx.loaders.register.load(ref.id), ref.byDepartment ?? []);
    },
  },
  OneStopDepartmentReport: {
    async __resolveReference(ref: { id: string }, ctx: Ctx) {
      return departmentPart(ref, ctx, 'OneStopDepartmentReport');
    },
  },
};

/** A department's part, looked up by its key (department|from|to); null when the department's part is of another type. */
export async function departmentPart(ref: { id: string; processingByProcedure?: unknown }, ctx: Ctx, typename: string): Promise<unknown> {
  const id = ref.id;
  const key = parseReportKey(id);
  checkReportAccess(ctx.identity, key?.departmentCode ?? null);
  if (!key?.departmentCode) return null;
  const register = await ctx.loaders.register.load(id);
  const part = register.departments[0];
  if (!part || part.__typename !== typename) return null;
  // A system's figures the router gathered for a field of the register's (byProcedure) come with the reference.
  return part.figures ? oneStopPart(part, register) : { ...part, processingByProcedure: ref.processingByProcedure };
}

function oneStopPart(d: DepartmentPart, register: RegisterFigures): OneStopDepartmentReport {
  return Object.assign(new OneStopDepartmentReport(), d, d.figures, {
    __typename: d.__typename, reportKey: d.id, unreportedDecisions: [], receivedDays: [], statusesInFlight: [],
    published: register.published, revisions: register.revisions.filter((x) => x.departmentCode === d.departmentCode),
  });
}

