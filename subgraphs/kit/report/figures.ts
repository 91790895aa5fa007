import { Directive, Field, Int, ObjectType } from 'type-graphql';
import { LocalDateScalar, Period } from './period';

@ObjectType({ description: 'Dossiers decided in the period, by decision date against the due date.' })
@Directive('@shareable')
export class ResolvedFigures {
  @Field(() => Int)
  total: number;

  @Field(() => Int, { description: 'Decided on a date before the due date.' })
  early: number;

  @Field(() => Int, { description: 'Decided on the due date, or without a due date.' })
  onTime: number;

  @Field(() => Int, { description: 'Decided after the due date.' })
  late: number;
}

@ObjectType({ description: 'Dossiers received by the end of the period and not finished by then.' })
@Directive('@shareable')
export class InProcessFigures {
  @Field(() => Int)
  total: number;

  @Field(() => Int, { description: 'Due before the end of the period; those awaiting supplements then count as within deadline.' })
  overdue: number;
}

@ObjectType({
  description:
    'Dossiers a system holds that were received on a day, and the XOR of a 64-bit digest of their codes (md5, first 16 hex ' +
    'digits, signed decimal): the register compares it with its own to name a dossier one side lacks.',
})
@Directive('@shareable')
export class ReceivedDay {
  @Field(() => LocalDateScalar)
  day: string;

  @Field(() => Int)
  count: number;

  @Field()
  digest: string;

  @Field({
    description:
      'The XOR of the same digest of "code|status" over those dossiers, leaving out the ones whose status report is still ' +
      'in the outbox: the register compares it with its own statuses to name a dossier the two systems see differently.',
  })
  statusDigest: string;
}

export interface ProcessingFigures {
  departmentCode: string;
  /** Dossiers this system holds that were received in the period: to compare with what the centre handed over. */
  receivedCount: number;
  carriedOver: number;
  resolved: ResolvedFigures;
  withdrawn: number;
  inProcess: InProcessFigures;
}

/**
 * The SELECT that gives the report's processing figures (domain.md, "The monthly report"; finished means
 * decided or withdrawn) for every pair of a period in relation `p (p_from, p_to, p_end)` and a department in
 * relation `d (code)`: sums from the monthly and daily rollups the triggers keep, and the overdue count from
 * the rows still open at the end of the period, against the due date in force then (due_date_change): a
 * due date moved after the period does not change its figure. Each part reads an index range bounded by the period, so the
 * cost stays flat as history grows: the overdue candidates are the late-or-open rows (a partial index) and those
 * whose due date moved after the period (by time of change), two sets rather than one filter with an OR, which
 * PostgreSQL can only check row by row over the department's whole history. Composed into larger statements (the register's) as well as run alone.
 */
export function processingFiguresSelect(p: string, d: string): string {
  return `SELECT to_char(p.p_from, 'YYYY-MM-DD') AS p_from, to_char(p.p_to, 'YYYY-MM-DD') AS p_to, d.code AS department_code,
      mb.received + dd.received_before - mb.finished - dd.finished_before AS carried_over,
      dd.received, dd.early, dd.on_time, dd.late, dd.withdrawn,
      mb.received + dd.received_before + dd.received - mb.finished - dd.finished_before - dd.finished AS in_process,
      od.overdue
    FROM ${p} p CROSS JOIN ${d} d
    CROSS JOIN LATERAL (
      SELECT coalesce(sum(m.received), 0)::int AS received, coalesce(sum(m.finished), 0)::int AS finished
        FROM report_month m WHERE m.department_code = d.code AND m.month < date_trunc('month', p.p_from)::date) mb
    CROSS JOIN LATERAL (
      SELECT coalesce(sum(r.received) FILTER (WHERE r.day < p.p_from), 0)::int AS received_before,
             coalesce(sum(r.early + r.on_time + r.late + r.withdrawn) FILTER (WHERE r.day < p.p_from), 0)::int AS finished_before,
             coalesce(sum(r.received) FILTER (WHERE r.day >= p.p_from), 0)::int AS received,
             coalesce(sum(r.early) FILTER (WHERE r.day >= p.p_from), 0)::int AS early,
             coalesce(sum(r.on_time) FILTER (WHERE r.day >= p.p_from), 0)::int AS on_time,
             coalesce(sum(r.late) FILTER (WHERE r.day >= p.p_from), 0)::int AS late,
             coalesce(sum(r.withdrawn) FILTER (WHERE r.day >= p.p_from), 0)::int AS withdrawn,
             coalesce(sum(r.early + r.on_time + r.late + r.withdrawn) FILTER (WHERE r.day >= p.p_from), 0)::int AS finished
        FROM report_day r
       WHERE r.department_code = d.code AND r.day >= date_trunc('month', p.p_from)::date AND r.day <= p.p_to) dd
    CROSS JOIN LATERAL (
      SELECT count(*)::int AS overdue FROM (
        SELECT x.dossier_code, x.due_at FROM processing x
         WHERE x.department_code = d.code AND coalesce(x.decided_at, x.withdrawn_at, 'infinity'::timestamptz) > p.p_end
           AND x.received_at <= p.p_end
           AND coalesce(x.decided_at, x.withdrawn_at, 'infinity'::timestamptz) > x.due_at AND x.due_at < p.p_end
        UNION
        SELECT x.dossier_code, x.due_at FROM due_date_change c JOIN processing x ON x.dossier_code = c.dossier_code
         WHERE c.at > p.p_end AND x.department_code = d.code
           AND coalesce(x.decided_at, x.withdrawn_at, 'infinity'::timestamptz) > p.p_end AND x.received_at <= p.p_end) x
       WHERE coalesce((SELECT c.due_at FROM due_date_change c WHERE c.dossier_code = x.dossier_code AND c.at <= p.p_end
                       ORDER BY c.at DESC, c.id DESC LIMIT 1), x.due_at) < p.p_end
         AND coalesce((SELECT sc.status FROM status_change sc WHERE sc.dossier_code = x.dossier_code AND sc.at <= p.p_end
                       ORDER BY sc.at DESC, sc.id DESC LIMIT 1), '') <> 'WAITING') od`;
}

/** A row of processingFiguresSelect (every count is an int4, so a number). */
export interface FiguresRow {
  p_from: string;
  p_to: string;
  department_code: string;
  carried_over: number;
  received: number;
  early: number;
  on_time: number;
  late: number;
  withdrawn: number;
  in_process: number;
  overdue: number;
}

/** A row of processingFiguresSelect as figures. */
export function figuresOf(r: FiguresRow): ProcessingFigures {
  return {
    departmentCode: r.department_code,
    receivedCount: r.received,
    carriedOver: r.carried_over,
    withdrawn: r.withdrawn,
    resolved: { total: r.early + r.on_time + r.late, early: r.early, onTime: r.on_time, late: r.late },
    inProcess: { total: r.in_process, overdue: r.overdue },
  };
}

/** The periods as the three arrays processingFiguresSelect's `p` is unnested from. */
export function periodArrays(periods: Period[]): [string[], string[], Date[]] {
  return [periods.map((x) => x.from), periods.map((x) => x.to), periods.map((x) => x.end)];
}
