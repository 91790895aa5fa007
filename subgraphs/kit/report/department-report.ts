import { Directive, Field, ID, Int, InterfaceType, ObjectType } from 'type-graphql';
import { monthsTouched, publishedProcessing } from '../periods/period.answer';
import { closedMonthsColumn, monthDates } from '../periods/period.store';
import { ReportRevision } from '../periods/period.types';
import DataLoader from 'dataloader';
import { GraphQLResolveInfo, OperationDefinitionNode, visit } from 'graphql';
import type { DataSource } from 'typeorm';
import { preparedQuery } from '../data-source';
import { forbidden } from '../errors';
import type { Identity } from '../identity';
import type { RequestContext } from '../subgraph';
import { figuresOf, FiguresRow, InProcessFigures, periodArrays, processingFiguresSelect, ProcessingFigures, ReceivedDay, ResolvedFigures } from './figures';
import { parseReportId, period, reportId } from './period';
import { breakdownResolver, OfficerFigures, ProcedureProcessing } from './breakdown';

/** The processing figures every system reports for a department and a period. */
@InterfaceType('DepartmentReport', {
  description:
    "One department's part of a report. The concrete type names the system whose data it is: the department's own " +
    "system computes carriedOver, resolved, withdrawn and inProcess from its processing records; the centre's register " +
    'gives department and received.',
  resolveType: (v: { __typename?: string }) => v.__typename,
})
export abstract class DepartmentReportFields {
  @Field(() => ID)
  id: string;

  @Field(() => Int)
  carriedOver: number;

  @Field(() => ResolvedFigures)
  resolved: ResolvedFigures;

  @Field(() => Int, { description: 'Withdrawn by the applicant in the period (form II.06a counts them as on time; here they are apart).' })
  withdrawn: number;

  @Field(() => InProcessFigures)
  inProcess: InProcessFigures;

  @Field({ description: 'The report key again (department|from|to), for the register to match figures to departments.' })
  reportKey: string;

  @Field(() => Int, { description: 'Dossiers this system holds that were received in the period.' })
  receivedCount: number;

  @Field(() => [String], { description: 'Decisions made here that the register has not acknowledged yet (first 50).' })
  unreportedDecisions: string[];

  @Field(() => [ReceivedDay], { description: 'Per day of the period: dossiers received and digests of their codes and statuses, for reconciliation.' })
  receivedDays: ReceivedDay[];

  @Field(() => [String], {
    description:
      "Dossiers received in the period with a status report still pending in this system's outbox (left out of the days' status " +
      'digests): all of them. A dead report is not a lag: its dossier is compared, and named if the register differs.',
  })
  statusesInFlight: string[];

  @Field(() => [ProcedureProcessing], { description: "Per procedure, this system's figures (the register's byProcedure adds the ratings), busiest first." })
  processingByProcedure: ProcedureProcessing[];

  @Field(() => [OfficerFigures], { description: 'Per officer of the processing system, busiest first.' })
  byOfficer: OfficerFigures[];

  @Field({
    description:
      'True when the period is whole months that this system has closed: carriedOver, resolved, withdrawn, inProcess and ' +
      'receivedCount are then the figures it froze and published, identical every time; the reconciliation fields stay live.',
  })
  published: boolean;

  @Field(() => [ReportRevision], { description: 'Changes made here to the closed months the period touches, after they were published, oldest first.' })
  revisions: ReportRevision[];
}

export type DepartmentReportRow = ProcessingFigures & {
  id: string;
  reportKey: string;
  unreportedDecisions: string[];
  receivedDays: ReceivedDay[];
  statusesInFlight: string[];
  published: boolean;
  revisions: ReportRevision[];
};

/** The fields only reconciliation asks for: a day-by-day account of the period, dearer than the figures. */
const RECONCILING = new Set(['receivedDays', 'statusesInFlight']);
const reconcilingOperations = new WeakMap<OperationDefinitionNode, boolean>();

/** Whether the operation `info` is part of asks for a reconciliation field anywhere (its fragments included). */
export function asksReconciliation(info: GraphQLResolveInfo): boolean {
  let asks = reconcilingOperations.get(info.operation);
  if (asks === undefined) {
    asks = false;
    for (const node of [info.operation, ...Object.values(info.fragments)]) visit(node, { Field: (f) => void (RECONCILING.has(f.name.value) && (asks = true)) });
    reconcilingOperations.set(info.operation, asks);
  }
  return asks;
}

/** The dossiers whose status the register may not have yet: a status change still in this system's outbox. */
const IN_FLIGHT = `in_flight AS MATERIALIZED (
                  SELECT x.department_code, x.dossier_code, (x.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day,
                         dossier_status_digest(x.dossier_code, x.status) AS digest
                    FROM processing x
                   WHERE x.dossier_code IN (SELECT dossier_code FROM outbox_message
                                             WHERE destination = 'intake' AND delivered_at IS NULL AND dead_at IS NULL AND type = 'STATUS'))`;

/** Each day's count and digests, and the dossiers in flight, of a row's department and period. */
const DAYS_COLUMNS = `(SELECT coalesce(json_agg(json_build_object('day', to_char(r.day, 'YYYY-MM-DD'), 'count', r.received,
                                                              'digest', r.received_digest::text,
                                                              'statusDigest', (r.status_digest # coalesce(
                                                                (SELECT bit_xor(i.digest) FROM in_flight i
                                                                  WHERE i.department_code = r.department_code AND i.day = r.day), 0))::text)
                                            ORDER BY r.day), '[]')
                     FROM report_day r
                    WHERE r.department_code = f.department_code AND r.day BETWEEN f.p_from::date AND f.p_to::date
                      AND (r.received <> 0 OR r.received_digest <> 0 OR r.status_digest <> 0)) AS received_days,
                  (SELECT coalesce(array_agg(i.dossier_code ORDER BY i.dossier_code), '{}') FROM in_flight i
                    WHERE i.department_code = f.department_code AND i.day BETWEEN f.p_from::date AND f.p_to::date) AS in_flight,`;

/**
 * Every department report of a request (any periods, any departments) in one statement, with the decisions
 * still in this system's outbox (those the register has not recorded yet) and, when `reconciling`, each day's
 * count and digests and the dossiers whose status the register may not have yet; otherwise those are left empty,
 * for the figures alone are asked.
 */
function departmentReportLoader(db: DataSource, system: string, reconciling: boolean) {
  return new DataLoader<string, DepartmentReportRow | null>(async (ids) => {
    // A key with a bad period is that key's error, not the batch's: the other entities of the request still answer.
    const checked = ids.map((id) => {
      const k = parseReportId(id);
      if (!k) return null;
      try {
        period(k.from, k.to);
        return k;
      } catch (e) {
        return e as Error;
      }
    });
    const keys = checked.filter((k): k is NonNullable<ReturnType<typeof parseReportId>> => k !== null && !(k instanceof Error));
    const periods = [...new Map(keys.map((k) => [`${k.from}|${k.to}`, period(k.from, k.to)])).values()];
    const departments = [...new Set(keys.map((k) => k.departmentCode))];
    type Row = FiguresRow & { unreported: string[] | null; received_days: ReceivedDay[]; in_flight: string[]; closed_months: string[] };
    const rows: Row[] = periods.length
      ? await preparedQuery<Row>(
          db,
          reconciling ? 'department-report' : 'department-report-figures',
          `WITH p AS (SELECT * FROM unnest($1::date[], $2::date[], $3::timestamptz[]) AS p(p_from, p_to, p_end)),
                d AS (SELECT unnest($4::text[]) AS code),
                pending AS MATERIALIZED (
                  SELECT x.department_code, (array_agg(o.dossier_code ORDER BY o.id))[1:50] AS codes
                    FROM outbox_message o JOIN processing x ON x.dossier_code = o.dossier_code
                   WHERE o.delivered_at IS NULL AND o.type = 'STATUS' AND o.payload->>'event' = 'DECIDED'
                   GROUP BY x.department_code)${reconciling ? `,
                ${IN_FLIGHT}` : ''}
           SELECT f.*, pending.codes AS unreported,
                  ${reconciling ? DAYS_COLUMNS : `'[]'::json AS received_days, '{}'::text[] AS in_flight,`}
                  ${closedMonthsColumn('$5')}
             FROM (${processingFiguresSelect('p', 'd')}) f LEFT JOIN pending ON pending.department_code = f.department_code`,
          [...periodArrays(periods), departments, monthDates(keys.flatMap((k) => monthsTouched(k.from, k.to)))],
        )
      : [];
    const found = new Map(rows.map((r) => [reportId(r.department_code, r.p_from, r.p_to), r]));
    const published = new Map((await publishedProcessing(db, system, keys, rows[0]?.closed_months ?? [])).map((p, i) => [reportId(keys[i].departmentCode, keys[i].from, keys[i].to), p]));
    return ids.map((id, i) => {
      const bad = checked[i];
      if (bad instanceof Error) return bad;
      const r = found.get(id);
      const p = published.get(id)!;
      return r
        ? { ...figuresOf(r), ...p.figures, id, reportKey: id, unreportedDecisions: r.unreported ?? [], receivedDays: r.received_days, statusesInFlight: r.in_flight,
            published: p.figures !== undefined, revisions: p.revisions }
        : null;
    });
  });
}

/** A request's loaders of department reports: with the day-by-day account reconciliation reads, and without. */
export interface DepartmentReportLoaders {
  departmentReports: ReturnType<typeof departmentReportLoader>;
  departmentFigures: ReturnType<typeof departmentReportLoader>;
}

export const departmentReportLoaders = (db: DataSource, system: string): DepartmentReportLoaders => ({
  departmentReports: departmentReportLoader(db, system, true),
  departmentFigures: departmentReportLoader(db, system, false),
});

const memo = new Map<string, ReturnType<typeof make>>();

/** A system's department report type (TransportDepartmentReport…), keyed by department and period. */
export function departmentReportType(typeName: string) {
  let made = memo.get(typeName);
  if (!made) memo.set(typeName, (made = make(typeName)));
  return made;
}

function make(typeName: string) {
  @ObjectType(typeName, { implements: DepartmentReportFields })
  @Directive('@key(fields: "id")')
  class DepartmentReport extends DepartmentReportFields {}

  const reference = {
    [typeName]: {
      async __resolveReference(ref: { id: string }, ctx: RequestContext<DepartmentReportLoaders>, info: GraphQLResolveInfo) {
        checkReportAccess(ctx.identity, parseReportId(ref.id)?.departmentCode ?? null);
        const row = await (asksReconciliation(info) ? ctx.loaders.departmentReports : ctx.loaders.departmentFigures).load(ref.id);
        return row ? Object.assign(new DepartmentReport(), row, { __typename: typeName }) : null;
      },
    },
  };
  return { type: DepartmentReport, reference, resolver: breakdownResolver(DepartmentReport) };
}

/** Reports hold no personal data: centre staff, report builders, services, and officers for their own department. */
export function checkReportAccess(who: Identity, departmentCode: string | null): void {
  if (['CENTRE_STAFF', 'REPORT_BUILDER', 'SERVICE'].includes(who.role)) return;
  if (who.role === 'DEPARTMENT_OFFICER' && departmentCode !== null && departmentCode === who.department) return;
  throw forbidden('reports are for centre staff and report builders; an officer sees their own department\'s');
}
