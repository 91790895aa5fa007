import { ClassType, Ctx, Directive, FieldResolver, Resolver, Root } from 'type-graphql';
import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { preparedQuery } from '../../kit/data-source';
import { breakdownResolver, ProcedureProcessing } from '../../kit/report/breakdown';
import { parseReportId, period } from '../../kit/report/period';
import type { RequestContext } from '../../kit/subgraph';
import type { IntakeLoaders } from '../loaders';
import { ProcedureFigures } from './procedure-figures';
import { DEPARTMENT_REPORT_STUBS, OneStopDepartmentReport } from './report.types';

type Ctx = RequestContext<IntakeLoaders>;

/** Dissatisfied ratings per procedure for every department report of a request, in one statement. */
export function procedureRatingsLoader(db: DataSource) {
  return new DataLoader<string, Map<string, number>>(async (ids) => {
    const keys = ids.map((id) => ({ id, key: parseReportId(id) }));
    const periods = keys.map((k) => (k.key ? period(k.key.from, k.key.to) : null));
    const rows = await preparedQuery<{ id: string; procedure_code: string; dissatisfied: number }>(
      db,
      'procedure-ratings',
      `SELECT k.id, d.procedure_code, count(*) FILTER (WHERE r.level = 'DISSATISFIED')::int AS dissatisfied
         FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[]) AS k(id, code, p_start, p_end)
         JOIN rating r ON r.rated_at BETWEEN k.p_start AND k.p_end
         JOIN dossier d ON d.code = r.dossier_code AND d.department_code = k.code
        GROUP BY k.id, d.procedure_code`,
      [ids, keys.map((k) => k.key?.departmentCode ?? null), periods.map((p) => p?.start ?? null), periods.map((p) => p?.end ?? null)],
    );
    const found = new Map(ids.map((id) => [id, new Map<string, number>()]));
    for (const r of rows) found.get(r.id)!.set(r.procedure_code, r.dissatisfied);
    return ids.map((id) => found.get(id)!);
  });
}

/** The system's figures per procedure with the register's ratings; a procedure rated but not processed in the period shows zeros. */
function withRatings(processing: ProcedureProcessing[], ratings: Map<string, number>): ProcedureFigures[] {
  const rows = processing.map((p) => Object.assign(new ProcedureFigures(), p, { dissatisfiedRatings: ratings.get(p.procedureCode) ?? 0 }));
  const seen = new Set(processing.map((p) => p.procedureCode));
  for (const [procedureCode, dissatisfiedRatings] of [...ratings].sort(([a], [b]) => a.localeCompare(b))) {
    if (seen.has(procedureCode)) continue;
    rows.push(Object.assign(new ProcedureFigures(), {
      procedureCode, received: 0, resolved: { total: 0, early: 0, onTime: 0, late: 0 }, averageHours: null, p90Hours: null,
      supplementsRequested: 0, dissatisfiedRatings,
    }));
  }
  return rows;
}

const PROCESSING =
  'processingByProcedure { procedureCode received resolved { total early onTime late } averageHours p90Hours supplementsRequested }';

/**
 * byProcedure on a department system's report: its figures gathered by the router (@requires), with the
 * register's ratings, which only the centre records.
 */
function systemByProcedure(stub: ClassType<{ id: string }>) {
  @Resolver(() => stub)
  class SystemByProcedure {
    @FieldResolver(() => [ProcedureFigures], { description: 'Per procedure: the processing figures and the dissatisfied ratings, busiest first.' })
    @Directive(`@requires(fields: "${PROCESSING}")`)
    async byProcedure(@Root() r: { id: string; processingByProcedure?: ProcedureProcessing[] }, @Ctx() ctx: Ctx): Promise<ProcedureFigures[]> {
      return withRatings(r.processingByProcedure ?? [], await ctx.loaders.procedureRatings.load(r.id));
    }
  }
  return SystemByProcedure;
}

@Resolver(() => OneStopDepartmentReport)
class OneStopByProcedure {
  @FieldResolver(() => [ProcedureFigures], { description: 'Per procedure: the processing figures and the dissatisfied ratings, busiest first.' })
  async byProcedure(@Root() r: { id: string }, @Ctx() ctx: Ctx): Promise<ProcedureFigures[]> {
    const [processing, ratings] = await Promise.all([ctx.loaders.breakdowns.load(r.id), ctx.loaders.procedureRatings.load(r.id)]);
    return withRatings(processing.byProcedure, ratings);
  }
}

/** The resolvers of the figures per procedure and per officer on every department report type the register serves. */
export const BREAKDOWN_RESOLVERS: Function[] = [
  ...DEPARTMENT_REPORT_STUBS.map((s) => systemByProcedure(s as ClassType<{ id: string }>)),
  OneStopByProcedure,
  breakdownResolver(OneStopDepartmentReport),
];
