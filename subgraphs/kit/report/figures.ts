import { Directive, Field, Int, ObjectType } from 'type-graphql';
import type { DataSource } from 'typeorm';
import type { Period } from './period';

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
 * The report's processing figures for some departments (domain.md, "The monthly report"; finished means
 * decided or withdrawn), from the daily rollup the trigger keeps, plus the overdue count from the rows
 * still open at the end of the period: two statements, whatever the history's length.
 */
export async function processingFigures(db: DataSource, p: Period, departments: string[]): Promise<Map<string, ProcessingFigures>> {
  const [rows, overdue] = await Promise.all([
    db.query(
    `WITH before AS (
       SELECT department_code, sum(received)::int AS received, sum(finished)::int AS finished FROM report_month
        WHERE department_code = ANY($3) AND month < date_trunc('month', $1::date) GROUP BY department_code),
     days AS (
       SELECT department_code,
         coalesce(sum(received) FILTER (WHERE day < $1), 0)::int AS received_before,
         coalesce(sum(early + on_time + late + withdrawn) FILTER (WHERE day < $1), 0)::int AS finished_before,
         coalesce(sum(received) FILTER (WHERE day >= $1), 0)::int AS received,
         coalesce(sum(early) FILTER (WHERE day >= $1), 0)::int AS early,
         coalesce(sum(on_time) FILTER (WHERE day >= $1), 0)::int AS on_time,
         coalesce(sum(late) FILTER (WHERE day >= $1), 0)::int AS late,
         coalesce(sum(withdrawn) FILTER (WHERE day >= $1), 0)::int AS withdrawn,
         coalesce(sum(early + on_time + late + withdrawn) FILTER (WHERE day >= $1), 0)::int AS finished
       FROM report_day WHERE department_code = ANY($3) AND day >= date_trunc('month', $1::date) AND day <= $2
       GROUP BY department_code)
     SELECT coalesce(b.department_code, d.department_code) AS department_code,
       coalesce(b.received, 0) + coalesce(d.received_before, 0) - coalesce(b.finished, 0) - coalesce(d.finished_before, 0) AS carried_over,
       coalesce(d.received, 0) AS received, coalesce(d.early, 0) AS early, coalesce(d.on_time, 0) AS on_time,
       coalesce(d.late, 0) AS late, coalesce(d.withdrawn, 0) AS withdrawn,
       coalesce(b.received, 0) + coalesce(d.received_before, 0) + coalesce(d.received, 0)
         - coalesce(b.finished, 0) - coalesce(d.finished_before, 0) - coalesce(d.finished, 0) AS in_process
     FROM before b FULL JOIN days d ON d.department_code = b.department_code`,
    [p.from, p.to, departments],
  ) as Promise<Record<string, string | number>[]>,
    db.query(
    `SELECT department_code, count(*)::int AS n FROM processing p
      WHERE department_code = ANY($2) AND coalesce(decided_at, withdrawn_at, 'infinity'::timestamptz) > $1
        AND coalesce(decided_at, withdrawn_at, 'infinity'::timestamptz) > due_at
        AND received_at <= $1 AND due_at < $1
        AND coalesce((SELECT sc.status FROM status_change sc WHERE sc.dossier_code = p.dossier_code AND sc.at <= $1
                      ORDER BY sc.at DESC, sc.id DESC LIMIT 1), '') <> 'WAITING'
      GROUP BY department_code`,
    [p.end, departments],
  ) as Promise<{ department_code: string; n: number }[]>,
  ]);
  const overdueBy = new Map(overdue.map((r) => [r.department_code, r.n]));
  const figures = new Map<string, ProcessingFigures>();
  for (const code of departments) {
    figures.set(code, { departmentCode: code, receivedCount: 0, carriedOver: 0, withdrawn: 0, resolved: { total: 0, early: 0, onTime: 0, late: 0 }, inProcess: { total: 0, overdue: 0 } });
  }
  for (const r of rows) {
    const n = (k: string) => Number(r[k]);
    const code = String(r.department_code);
    figures.set(code, {
      departmentCode: code,
      receivedCount: n('received'),
      carriedOver: n('carried_over'),
      withdrawn: n('withdrawn'),
      resolved: { total: n('early') + n('on_time') + n('late'), early: n('early'), onTime: n('on_time'), late: n('late') },
      inProcess: { total: n('in_process'), overdue: overdueBy.get(code) ?? 0 },
    });
  }
  return figures;
}
