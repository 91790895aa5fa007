import type { DataSource } from 'typeorm';

/** The report's figures of one department, as the report answers them. */
export interface Figures {
  carriedOver: number;
  received: { total: number; online: number; direct: number; postal: number };
  resolved: { total: number; early: number; onTime: number; late: number };
  withdrawn: number;
  inProcess: { total: number; overdue: number };
  returnedByPost: number;
  ratings: { total: number; verySatisfied: number; satisfied: number; dissatisfied: number };
}

/** The GraphQL selection of `Figures` on a Report. */
export const FIGURES_SELECTION = `carriedOver received { total online direct postal } resolved { total early onTime late } withdrawn
  inProcess { total overdue } returnedByPost ratings { total verySatisfied satisfied dissatisfied }`;

const PROCESSING_SYSTEMS = ['intake', 'transport', 'police', 'industry-trade'];

/**
 * The report's definitions (domain.md, "The monthly report") recounted from each system's own rows, not from its
 * rollups: the processing figures by the system that processes the dossier, the rest by the register. Per
 * department code.
 */
export async function recount(dbs: Record<string, DataSource>, from: string, to: string): Promise<Map<string, Figures>> {
  const start = `${from}T00:00:00+07:00`;
  const end = `${to}T23:59:59.999+07:00`;
  const out = new Map<string, Figures>();
  const of = (code: string) => {
    let f = out.get(code);
    if (!f) {
      f = { carriedOver: 0, received: { total: 0, online: 0, direct: 0, postal: 0 }, resolved: { total: 0, early: 0, onTime: 0, late: 0 },
        withdrawn: 0, inProcess: { total: 0, overdue: 0 }, returnedByPost: 0, ratings: { total: 0, verySatisfied: 0, satisfied: 0, dissatisfied: 0 } };
      out.set(code, f);
    }
    return f;
  };
  for (const name of PROCESSING_SYSTEMS) {
    const rows: any[] = await dbs[name].query(
      `WITH x AS (
         SELECT p.department_code AS code, p.received_at, p.decided_at, p.withdrawn_at,
                coalesce(p.decided_at, p.withdrawn_at) AS finished_at,
                (p.decided_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS decided_day, (p.due_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS due_day,
                coalesce((SELECT c.due_at FROM due_date_change c WHERE c.dossier_code = p.dossier_code AND c.at <= $2::timestamptz
                           ORDER BY c.at DESC, c.id DESC LIMIT 1), p.due_at) AS due_at_end,
                (SELECT s.status FROM status_change s WHERE s.dossier_code = p.dossier_code AND s.at <= $2::timestamptz
                  ORDER BY s.at DESC, s.id DESC LIMIT 1) AS status_at_end
           FROM processing p WHERE p.department_code IS NOT NULL)
       SELECT code,
              count(*) FILTER (WHERE received_at < $1 AND (finished_at IS NULL OR finished_at >= $1))::int AS carried_over,
              count(*) FILTER (WHERE decided_at BETWEEN $1 AND $2 AND due_day IS NOT NULL AND decided_day < due_day)::int AS early,
              count(*) FILTER (WHERE decided_at BETWEEN $1 AND $2 AND (due_day IS NULL OR decided_day = due_day))::int AS on_time,
              count(*) FILTER (WHERE decided_at BETWEEN $1 AND $2 AND decided_day > due_day)::int AS late,
              count(*) FILTER (WHERE decided_at IS NULL AND withdrawn_at BETWEEN $1 AND $2)::int AS withdrawn,
              count(*) FILTER (WHERE received_at <= $2 AND (finished_at IS NULL OR finished_at > $2))::int AS in_process,
              count(*) FILTER (WHERE received_at <= $2 AND (finished_at IS NULL OR finished_at > $2)
                                 AND due_at_end < $2 AND coalesce(status_at_end, '') <> 'WAITING')::int AS overdue
         FROM x GROUP BY code`,
      [start, end],
    );
    for (const r of rows) {
      const f = of(r.code);
      f.carriedOver += r.carried_over;
      f.resolved.early += r.early;
      f.resolved.onTime += r.on_time;
      f.resolved.late += r.late;
      f.resolved.total += r.early + r.on_time + r.late;
      f.withdrawn += r.withdrawn;
      f.inProcess.total += r.in_process;
      f.inProcess.overdue += r.overdue;
    }
  }
  const register: any[] = await dbs.intake.query(
    `SELECT d.department_code AS code,
            count(*) FILTER (WHERE d.received_at BETWEEN $1 AND $2 AND d.channel = 'ONLINE')::int AS online,
            count(*) FILTER (WHERE d.received_at BETWEEN $1 AND $2 AND d.channel = 'DIRECT')::int AS direct,
            count(*) FILTER (WHERE d.received_at BETWEEN $1 AND $2 AND d.channel = 'POSTAL')::int AS postal,
            count(*) FILTER (WHERE d.returned_at BETWEEN $1 AND $2 AND d.return_channel = 'POSTAL')::int AS returned_by_post,
            (SELECT count(*) FILTER (WHERE r.level = 'VERY_SATISFIED')::int || ',' || count(*) FILTER (WHERE r.level = 'SATISFIED')::int || ','
                    || count(*) FILTER (WHERE r.level = 'DISSATISFIED')::int
               FROM rating r JOIN dossier rd ON rd.code = r.dossier_code
              WHERE rd.department_code = d.department_code AND r.rated_at BETWEEN $1 AND $2) AS ratings
       FROM dossier d GROUP BY d.department_code`,
    [start, end],
  );
  for (const r of register) {
    const f = of(r.code);
    f.received = { total: r.online + r.direct + r.postal, online: r.online, direct: r.direct, postal: r.postal };
    f.returnedByPost = r.returned_by_post;
    const [verySatisfied, satisfied, dissatisfied] = String(r.ratings).split(',').map(Number);
    f.ratings = { total: verySatisfied + satisfied + dissatisfied, verySatisfied, satisfied, dissatisfied };
  }
  return out;
}

/** The sum of the departments' figures: the centre-wide report. */
export function total(figures: Iterable<Figures>): Figures {
  const t: Figures = { carriedOver: 0, received: { total: 0, online: 0, direct: 0, postal: 0 }, resolved: { total: 0, early: 0, onTime: 0, late: 0 },
    withdrawn: 0, inProcess: { total: 0, overdue: 0 }, returnedByPost: 0, ratings: { total: 0, verySatisfied: 0, satisfied: 0, dissatisfied: 0 } };
  const add = (into: any, from: any) => {
    for (const k of Object.keys(from)) {
      if (typeof from[k] === 'number') into[k] += from[k];
      else add(into[k], from[k]);
    }
  };
  for (const f of figures) add(t, f);
  return t;
}
