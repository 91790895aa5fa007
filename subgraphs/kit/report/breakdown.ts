import { ClassType, Ctx, Directive, Field, Float, Int, ObjectType, FieldResolver, Resolver, Root } from 'type-graphql';
import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { preparedQuery } from '../data-source';
import type { Identity } from '../identity';
import type { RequestContext } from '../subgraph';
import { ResolvedFigures } from './figures';
import { parseReportId, period, reportId } from './period';

const HOURS =
  'Working hours (07:00–11:30, 13:30–17:00, working days) from receipt to decision, less the time awaiting supplements, ' +
  'as recorded with each decision; over the dossiers decided in the period; null when none was.';
const P90 =
  ' The 90th percentile is percentile_cont(0.9): interpolated between the two nearest decisions, so it need not be one of them.';

@ObjectType({ description: "A procedure's processing figures in a department and a period, from the system that processes its dossiers." })
@Directive('@shareable')
export class ProcedureProcessing {
  @Field()
  procedureCode: string;

  @Field(() => Int, { description: 'Dossiers of the procedure received in the period.' })
  received: number;

  @Field(() => ResolvedFigures, { description: 'Decided in the period: early, on time, late as in the report.' })
  resolved: ResolvedFigures;

  @Field(() => Float, { nullable: true, description: `Average processing time, two decimals. ${HOURS}` })
  averageHours: number | null;

  @Field(() => Float, { nullable: true, description: `90th-percentile processing time, two decimals. ${HOURS}${P90}` })
  p90Hours: number | null;

  @Field(() => Int, { description: 'Supplements requested in the period (each request counts, a dossier may have several).' })
  supplementsRequested: number;
}

@ObjectType({
  description:
    "An officer's processing figures in a department and a period, by the processing system's own officer id. Received: " +
    'dossiers received in the period that this officer holds now (the one who last acted on them; the decider once decided), so ' +
    "dossiers nobody has taken up are in no officer's figures; resolved and times: the decisions this officer made in the period; " +
    'supplements: the requests this officer made.',
})
@Directive('@shareable')
export class OfficerFigures {
  @Field(() => String, {
    nullable: true,
    description:
      "The system's officer id, for centre staff and the department's own officers; null for report builders and services (the " +
      'figures stay, the person does not: an unkeyed hash of an id would be reversed by anyone holding the list of ids).',
  })
  officer: string | null;

  @Field(() => Int)
  received: number;

  @Field(() => ResolvedFigures)
  resolved: ResolvedFigures;

  @Field(() => Float, { nullable: true, description: `Average processing time. ${HOURS}` })
  averageHours: number | null;

  @Field(() => Float, { nullable: true, description: `90th-percentile processing time. ${HOURS}${P90}` })
  p90Hours: number | null;

  @Field(() => Int)
  supplementsRequested: number;

  @Field(() => Int, {
    nullable: true,
    description:
      "Always null: a citizen's rating is of the centre's staff member who served them (the rating's officer), not of the " +
      "department's officer who decided, and counting it against the decider would be a figure nobody measured.",
  })
  dissatisfiedRatings: number | null;
}

export interface Breakdown {
  byProcedure: ProcedureProcessing[];
  byOfficer: OfficerFigures[];
}

interface Row {
  kind: 'P' | 'O';
  p_from: string;
  p_to: string;
  department_code: string;
  code: string;
  received: number;
  early: number;
  on_time: number;
  late: number;
  average: number | null;
  p90: number | null;
  supplements: number;
}

/**
 * The figures per procedure and per officer of every department report of a request (any periods, any
 * departments) in one statement: one row per fact (a receipt, a decision, a supplement request) within the
 * periods, read by the indexes on receipt, decision and waiting times, then grouped twice.
 */
export function breakdownLoader(db: DataSource) {
  return new DataLoader<string, Breakdown>(async (ids) => {
    const keys = ids.map(parseReportId).filter((k) => k !== null);
    const periods = [...new Map(keys.map((k) => [`${k.from}|${k.to}`, period(k.from, k.to)])).values()];
    const departments = [...new Set(keys.map((k) => k.departmentCode))];
    const rows = periods.length
      ? await preparedQuery<Row>(
          db,
          'department-breakdown',
          `WITH p AS (SELECT * FROM unnest($1::date[], $2::date[], $3::timestamptz[], $4::timestamptz[]) AS p(p_from, p_to, p_start, p_end)),
                facts AS (
                  SELECT p.p_from, p.p_to, x.department_code, x.procedure_code, x.officer,
                         1 AS received, 0 AS early, 0 AS on_time, 0 AS late, NULL::numeric AS hours, 0 AS supplements
                    FROM p JOIN processing x ON x.department_code = ANY($5) AND x.received_at BETWEEN p.p_start AND p.p_end
                  UNION ALL
                  SELECT p.p_from, p.p_to, x.department_code, x.procedure_code, x.decided_by, 0,
                         (l.due IS NOT NULL AND l.day < l.due)::int, (l.due IS NULL OR l.day = l.due)::int, (l.due IS NOT NULL AND l.day > l.due)::int,
                         x.processing_hours, 0
                    FROM p JOIN processing x ON x.department_code = ANY($5) AND x.decided_at BETWEEN p.p_start AND p.p_end
                    CROSS JOIN LATERAL (SELECT (x.decided_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day,
                                               (x.due_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS due) l
                  UNION ALL
                  SELECT p.p_from, p.p_to, x.department_code, x.procedure_code, sc.officer, 0, 0, 0, 0, NULL, 1
                    FROM p JOIN status_change sc ON sc.status = 'WAITING' AND sc.at BETWEEN p.p_start AND p.p_end
                    JOIN processing x ON x.dossier_code = sc.dossier_code AND x.department_code = ANY($5)),
                figures AS (
                  SELECT kind, to_char(p_from, 'YYYY-MM-DD') AS p_from, to_char(p_to, 'YYYY-MM-DD') AS p_to, department_code, code,
                         sum(received)::int AS received, sum(early)::int AS early, sum(on_time)::int AS on_time, sum(late)::int AS late,
                         round(avg(hours), 2)::float8 AS average,
                         round((percentile_cont(0.9) WITHIN GROUP (ORDER BY hours))::numeric, 2)::float8 AS p90,
                         sum(supplements)::int AS supplements
                    FROM (SELECT 'P' AS kind, procedure_code AS code, * FROM facts
                          UNION ALL SELECT 'O', officer, * FROM facts WHERE officer IS NOT NULL) f
                   GROUP BY kind, p_from, p_to, department_code, code)
           SELECT * FROM figures ORDER BY kind, received DESC, early + on_time + late DESC, code`,
          [periods.map((x) => x.from), periods.map((x) => x.to), periods.map((x) => x.start), periods.map((x) => x.end), departments],
        )
      : [];
    const found = new Map<string, Breakdown>();
    for (const r of rows) {
      const id = reportId(r.department_code, r.p_from, r.p_to);
      let b = found.get(id);
      if (!b) found.set(id, (b = { byProcedure: [], byOfficer: [] }));
      const figures = {
        received: r.received,
        resolved: { total: r.early + r.on_time + r.late, early: r.early, onTime: r.on_time, late: r.late },
        averageHours: r.average,
        p90Hours: r.p90,
        supplementsRequested: r.supplements,
      };
      if (r.kind === 'P') b.byProcedure.push(Object.assign(new ProcedureProcessing(), { procedureCode: r.code, ...figures }));
      else b.byOfficer.push(Object.assign(new OfficerFigures(), { officer: r.code, ...figures, dissatisfiedRatings: null }));
    }
    return ids.map((id) => found.get(id) ?? { byProcedure: [], byOfficer: [] });
  });
}

/** Officer ids are for centre staff and the department's own officers (checkReportAccess let the caller in). */
export function officersFor(who: Identity, rows: OfficerFigures[]): OfficerFigures[] {
  if (who.role === 'CENTRE_STAFF' || who.role === 'DEPARTMENT_OFFICER') return rows;
  return rows.map((r) => Object.assign(new OfficerFigures(), r, { officer: null }));
}

export type BreakdownLoaders = { breakdowns: ReturnType<typeof breakdownLoader> };

/** The figures per procedure and per officer on a department report type, computed only when asked for. */
export function breakdownResolver(type: ClassType<{ id: string }>) {
  @Resolver(() => type)
  class BreakdownResolver {
    @FieldResolver(() => [ProcedureProcessing], {
      description: "Per procedure, this system's figures (the register's byProcedure adds the ratings), busiest first.",
    })
    async processingByProcedure(@Root() r: { id: string }, @Ctx() ctx: RequestContext<BreakdownLoaders>): Promise<ProcedureProcessing[]> {
      return (await ctx.loaders.breakdowns.load(r.id)).byProcedure;
    }

    @FieldResolver(() => [OfficerFigures], { description: 'Per officer of the processing system, busiest first.' })
    async byOfficer(@Root() r: { id: string }, @Ctx() ctx: RequestContext<BreakdownLoaders>): Promise<OfficerFigures[]> {
      return officersFor(ctx.identity, (await ctx.loaders.breakdowns.load(r.id)).byOfficer);
    }
  }
  return BreakdownResolver;
}
