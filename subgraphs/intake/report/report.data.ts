import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { processingFigures, ProcessingFigures } from '../../kit/report/figures';
import { parseReportId, Period, period, reportId } from '../../kit/report/period';
import { reportTypeFor } from '../../registry';
import { Department } from '../entities/department.entity';
import type { RatingFigures, ReceivedFigures } from './report.types';

export interface ReportScope {
  from: string;
  to: string;
  departmentCode: string | null;
}

/** A report's key is a department report's key with "*" for all departments. */
export const reportKey = (s: ReportScope) => reportId(s.departmentCode ?? '*', s.from, s.to);

export function parseReportKey(id: string): ReportScope | null {
  const key = parseReportId(id);
  return key && { ...key, departmentCode: key.departmentCode === '*' ? null : key.departmentCode };
}

export interface DepartmentPart {
  __typename: string;
  id: string;
  departmentCode: string;
  department: Department;
  received: ReceivedFigures;
  /** Only for departments in the one-stop system, whose processing the register keeps. */
  figures?: ProcessingFigures;
  /** Decisions the register recorded in the period, to compare with the system's. */
  decidedRecorded: number;
  /** Hand-overs to the department's system not yet acknowledged (first 50). */
  undeliveredHandovers: string[];
}

export interface RegisterFigures {
  period: Period;
  received: ReceivedFigures;
  returnedByPost: number;
  ratings: RatingFigures;
  departments: DepartmentPart[];
}

const zero = (): ReceivedFigures => ({ total: 0, online: 0, direct: 0, postal: 0 });

/** The register's part of a report, from its daily rollup: five statements, whatever the history's length. */
export async function registerFigures(db: DataSource, scope: ReportScope): Promise<RegisterFigures> {
  const p = period(scope.from, scope.to);
  const only = scope.departmentCode;
  const departments = await db.getRepository(Department).find({ where: only ? { code: only } : {}, order: { code: 'ASC' } });
  const codes = departments.map((d) => d.code);
  const oneStop = departments.filter((d) => !d.system).map((d) => d.code);
  // Independent statements, on separate pool connections at once: the report waits for the slowest, not the sum.
  const [days, [other], undelivered, oneStopFigures] = await Promise.all([
    db.query(
    `SELECT department_code, sum(online)::int AS online, sum(direct)::int AS direct, sum(postal)::int AS postal,
            sum(decided)::int AS decided, sum(returned_by_post)::int AS by_post
       FROM register_day WHERE day BETWEEN $1 AND $2 AND department_code = ANY($3) GROUP BY department_code`,
    [scope.from, scope.to, codes],
  ) as Promise<{ department_code: string; online: number; direct: number; postal: number; decided: number; by_post: number }[]>,
    db.query(
    `SELECT count(*)::int AS ratings, count(*) FILTER (WHERE level = 'VERY_SATISFIED')::int AS very,
            count(*) FILTER (WHERE level = 'SATISFIED')::int AS satisfied, count(*) FILTER (WHERE level = 'DISSATISFIED')::int AS dissatisfied
       FROM rating WHERE rated_at BETWEEN $1 AND $2`,
    [p.start, p.end],
  ),
    db.query(
    `SELECT d.department_code, (array_agg(o.dossier_code ORDER BY o.id))[1:50] AS codes
       FROM outbox_message o JOIN dossier d ON d.code = o.dossier_code
      WHERE o.delivered_at IS NULL AND o.type = 'HANDOVER' AND d.department_code = ANY($1) GROUP BY d.department_code`,
    [codes],
  ) as Promise<{ department_code: string; codes: string[] }[]>,
    oneStop.length ? processingFigures(db, p, oneStop) : Promise.resolve(new Map<string, ProcessingFigures>()),
  ]);
  const decidedBy = new Map(days.map((d) => [d.department_code, d.decided]));
  const undeliveredBy = new Map(undelivered.map((r) => [r.department_code, r.codes]));
  const byDept = new Map(codes.map((c) => [c, zero()]));
  const total = zero();
  for (const d of days) {
    const f = byDept.get(d.department_code)!;
    for (const channel of ['online', 'direct', 'postal'] as const) {
      f[channel] += d[channel];
      f.total += d[channel];
      total[channel] += d[channel];
      total.total += d[channel];
    }
  }
  const parts = departments
    .map((d) => ({
      __typename: reportTypeFor(d.system),
      id: reportId(d.code, scope.from, scope.to),
      departmentCode: d.code,
      department: d,
      received: byDept.get(d.code)!,
      ...(d.system ? {} : { figures: oneStopFigures.get(d.code) }),
      decidedRecorded: decidedBy.get(d.code) ?? 0,
      undeliveredHandovers: undeliveredBy.get(d.code) ?? [],
    }))
    .sort((a, b) => b.received.total - a.received.total || a.departmentCode.localeCompare(b.departmentCode));
  return {
    period: p,
    received: total,
    returnedByPost: days.reduce((sum, d) => sum + d.by_post, 0),
    // Ratings are of the centre's staff, not of a department: the same in every department's report.
    ratings: { total: other.ratings, verySatisfied: other.very, satisfied: other.satisfied, dissatisfied: other.dissatisfied },
    departments: parts,
  };
}

export function registerFiguresLoader(db: DataSource) {
  return new DataLoader<string, RegisterFigures>((keys) => Promise.all(keys.map((k) => registerFigures(db, parseReportKey(k)!))));
}
