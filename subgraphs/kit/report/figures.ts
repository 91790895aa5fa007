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

const DAY = (col: string) => `(${col} AT TIME ZONE 'Asia/Ho_Chi_Minh')::date`;

/**
 * The report's processing figures for some departments, from a processing table, in one statement
 * (domain.md, "The monthly report"): finished means decided or withdrawn.
 */
export async function processingFigures(db: DataSource, p: Period, departments: string[]): Promise<Map<string, ProcessingFigures>> {
  const rows: Record<string, string | number>[] = await db.query(
    `SELECT department_code,
       count(*) FILTER (WHERE received_at < $1 AND coalesce(decided_at, withdrawn_at, 'infinity') >= $1)::int AS carried_over,
       count(*) FILTER (WHERE received_at >= $1)::int AS received,
       count(*) FILTER (WHERE decided_at BETWEEN $1 AND $2 AND ${DAY('decided_at')} < ${DAY('due_at')})::int AS early,
       count(*) FILTER (WHERE decided_at BETWEEN $1 AND $2 AND (due_at IS NULL OR ${DAY('decided_at')} = ${DAY('due_at')}))::int AS on_time,
       count(*) FILTER (WHERE decided_at BETWEEN $1 AND $2 AND ${DAY('decided_at')} > ${DAY('due_at')})::int AS late,
       count(*) FILTER (WHERE withdrawn_at BETWEEN $1 AND $2 AND decided_at IS NULL)::int AS withdrawn,
       count(*) FILTER (WHERE coalesce(decided_at, withdrawn_at, 'infinity') > $2)::int AS in_process,
       count(*) FILTER (WHERE coalesce(decided_at, withdrawn_at, 'infinity') > $2 AND due_at < $2
         AND coalesce((SELECT sc.status FROM status_change sc WHERE sc.dossier_code = p.dossier_code AND sc.at <= $2
                       ORDER BY sc.at DESC, sc.id DESC LIMIT 1), '') <> 'WAITING')::int AS overdue
     FROM processing p
     WHERE received_at <= $2 AND department_code = ANY($3)
     GROUP BY department_code`,
    [p.start, p.end, departments],
  );
  const figures = new Map<string, ProcessingFigures>();
  for (const code of departments) {
    figures.set(code, { departmentCode: code, receivedCount: 0, carriedOver: 0, withdrawn: 0, resolved: { total: 0, early: 0, onTime: 0, late: 0 }, inProcess: { total: 0, overdue: 0 } });
  }
  for (const r of rows) {
    const n = (k: string) => Number(r[k]);
    figures.set(String(r.department_code), {
      departmentCode: String(r.department_code),
      receivedCount: n('received'),
      carriedOver: n('carried_over'),
      withdrawn: n('withdrawn'),
      resolved: { total: n('early') + n('on_time') + n('late'), early: n('early'), onTime: n('on_time'), late: n('late') },
      inProcess: { total: n('in_process'), overdue: n('overdue') },
    });
  }
  return figures;
}
