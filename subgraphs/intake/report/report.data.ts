import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { figuresOf, FiguresRow, periodArrays, processingFiguresSelect, ProcessingFigures } from '../../kit/report/figures';
import { parseReportId, Period, period, reportId } from '../../kit/report/period';
import { reportTypeFor } from '../../registry';
import { Department } from '../entities/department.entity';
import type { RatingFigures, ReceivedFigures } from './report.types';
import type { ReportRevision } from '../../kit/periods/period.types';
import { OperationMemo } from '../../kit/operation-memo';
import { preparedQuery } from '../../kit/data-source';
import { STEPS } from '../../kit/department/lifecycle';
import { withPublished } from './period.data';
import { monthsTouched } from '../../kit/periods/period.answer';
import { closedMonthsColumn, monthDates } from '../../kit/periods/period.store';

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
  /**
   * Hand-overs of dossiers received in the period that the department's system has not acknowledged, per day of
   * receipt: how many, the XOR of their codes' digests, and the first 50 codes.
   */
  undeliveredDays: { day: string; count: number; digest: bigint; codes: string[] }[];
  /** XOR of the digests of the codes of the dossiers received in the period: compared with the system's. */
  handedDigest: bigint;
  /** XOR of the digests of (code, status) of the same dossiers: compared with the system's statuses. */
  statusDigest: bigint;
  /**
   * Dossiers received in the period, per day of receipt, with a step of the register's still in its outbox to the
   * department's system (the hand-over, the result's return): `delta` turns the day's status digest into what the
   * system holds before it applies them (without the dossier, or RELEASING instead of DONE).
   */
  statusesAhead: { day: string; delta: bigint; codes: string[] }[];
}

export interface RegisterFigures {
  period: Period;
  /** True when every month of the period is whole and closed here: the figures below are the ones published. */
  published: boolean;
  /** Changes made to the closed months the period touches, here (the register and the one-stop system). */
  revisions: ReportRevision[];
  received: ReceivedFigures;
  /** Results returned in the period, in person or by post: the whole of which returnedByPost is a part. */
  returned: number;
  returnedByPost: number;
  ratings: RatingFigures;
  departments: DepartmentPart[];
}

/**
 * The register's messages that leave the department's statuses behind the register's until applied: a hand-over
 * not delivered (pending or dead, as the received digests count it), a result's return still pending. A dead
 * return is a disagreement to name, not a lag.
 */
export const REGISTER_AHEAD =
  `delivered_at IS NULL AND (type = 'HANDOVER' OR (type = '${STEPS.returnResult.event}' AND dead_at IS NULL))`;

const zero = (): ReceivedFigures => ({ total: 0, online: 0, direct: 0, postal: 0 });

export interface RegisterRows {
  departments: { code: string; name: string; unit_code: string; system: string | null }[];
  days: { i: number; department_code: string; online: number; direct: number; postal: number; decided: number; returned: number; by_post: number; digest: string; status_digest: string }[];
  ratings: { i: number; total: number; very: number; satisfied: number; dissatisfied: number }[];
  undelivered: { i: number; department_code: string; day: string; count: number; digest: string; codes: string[] }[];
  ahead: { i: number; department_code: string; day: string; delta: string; codes: string[] }[];
  one_stop: FiguresRow[];
  closed_months: string[];
}

/**
 * The register's part of any number of reports in one statement, whatever the history's length: new dossiers
 * by channel, decisions recorded and returns by post from the daily rollup, ratings, hand-overs not yet
 * delivered, and the processing figures of the departments that work in the one-stop system.
 */
export type Statement = <T>(name: string, text: string, values: unknown[]) => Promise<T[]>;

export async function registerRows(q: Statement, scopes: ReportScope[], periods: Period[]): Promise<RegisterRows> {
  const [row] = await q<RegisterRows>(
    'register-figures',
    `WITH k AS (
       SELECT * FROM unnest($1::date[], $2::date[], $3::timestamptz[], $4::timestamptz[], $5::text[])
         WITH ORDINALITY AS k(p_from, p_to, p_end, p_start, only_code, i)),
     dept AS (SELECT code, name, unit_code, system FROM department),
     p AS (SELECT DISTINCT p_from, p_to, p_end FROM k),
     d AS (SELECT code FROM dept WHERE system IS NULL
             AND (EXISTS (SELECT 1 FROM k WHERE only_code IS NULL) OR code IN (SELECT only_code FROM k)))
     SELECT
       (SELECT coalesce(json_agg(dept ORDER BY code), '[]') FROM dept) AS departments,
       (SELECT coalesce(json_agg(t), '[]') FROM (
          SELECT k.i, r.department_code, sum(r.online)::int AS online, sum(r.direct)::int AS direct, sum(r.postal)::int AS postal,
                 sum(r.decided)::int AS decided, sum(r.returned)::int AS returned, sum(r.returned_by_post)::int AS by_post, bit_xor(r.handed_digest)::text AS digest,
                 bit_xor(r.status_digest)::text AS status_digest
            FROM k JOIN register_day r ON r.day BETWEEN k.p_from AND k.p_to AND (k.only_code IS NULL OR r.department_code = k.only_code)
           GROUP BY k.i, r.department_code) t) AS days,
       (SELECT json_agg(t) FROM (
          SELECT k.i, count(r.id)::int AS total, count(*) FILTER (WHERE r.level = 'VERY_SATISFIED')::int AS very,
                 count(*) FILTER (WHERE r.level = 'SATISFIED')::int AS satisfied,
                 count(*) FILTER (WHERE r.level = 'DISSATISFIED')::int AS dissatisfied
            FROM k LEFT JOIN (rating r LEFT JOIN dossier rd ON rd.code = r.dossier_code)
              ON r.rated_at BETWEEN k.p_start AND k.p_end AND (k.only_code IS NULL OR rd.department_code = k.only_code)
           GROUP BY k.i) t) AS ratings,
       (SELECT coalesce(json_agg(t), '[]') FROM (
          SELECT k.i, d.department_code, to_char(d.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') AS day,
                 count(*)::int AS count, bit_xor(dossier_code_digest(d.code))::text AS digest, (array_agg(d.code ORDER BY d.code))[1:50] AS codes
            FROM (SELECT DISTINCT dossier_code FROM outbox_message WHERE delivered_at IS NULL AND type = 'HANDOVER') o
            JOIN dossier d ON d.code = o.dossier_code
            JOIN k ON d.received_at BETWEEN k.p_start AND k.p_end AND (k.only_code IS NULL OR d.department_code = k.only_code)
           GROUP BY k.i, d.department_code, 3) t) AS undelivered,
       (SELECT coalesce(json_agg(t), '[]') FROM (
          SELECT k.i, d.department_code, to_char(d.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') AS day,
                 bit_xor(dossier_status_digest(d.code, d.status) # CASE WHEN o.handover THEN 0
                   ELSE dossier_status_digest(d.code, '${STEPS.returnResult.from[0]}') END)::text AS delta,
                 array_agg(d.code ORDER BY d.code) AS codes
            FROM (SELECT dossier_code, bool_or(type = 'HANDOVER') AS handover FROM outbox_message
                   WHERE ${REGISTER_AHEAD} GROUP BY dossier_code) o
            JOIN dossier d ON d.code = o.dossier_code
            JOIN k ON d.received_at BETWEEN k.p_start AND k.p_end AND (k.only_code IS NULL OR d.department_code = k.only_code)
           GROUP BY k.i, d.department_code, 3) t) AS ahead,
       (SELECT coalesce(json_agg(t), '[]') FROM (${processingFiguresSelect('p', 'd')}) t) AS one_stop,
       ${closedMonthsColumn('$6')}`,
    [...periodArrays(periods), periods.map((x) => x.start), scopes.map((s) => s.departmentCode),
      monthDates(scopes.flatMap((s) => monthsTouched(s.from, s.to)))],
  );
  return row;
}

export function registerFiguresOf(rows: RegisterRows, scope: ReportScope, p: Period, i: number): RegisterFigures {
  const departments = rows.departments
    .filter((d) => scope.departmentCode === null || d.code === scope.departmentCode)
    .map((d) => Object.assign(new Department(), { code: d.code, name: d.name, unitCode: d.unit_code, system: d.system }));
  const days = rows.days.filter((d) => d.i === i);
  const other = rows.ratings.find((r) => r.i === i)!;
  const oneStop = new Map(
    rows.one_stop.filter((f) => f.p_from === scope.from && f.p_to === scope.to).map((f) => [f.department_code, figuresOf(f)]),
  );
  const decidedBy = new Map(days.map((d) => [d.department_code, d.decided]));
  const digestBy = new Map(days.map((d) => [d.department_code, BigInt(d.digest ?? 0)]));
  const statusDigestBy = new Map(days.map((d) => [d.department_code, BigInt(d.status_digest ?? 0)]));
  const undelivered = rows.undelivered.filter((u) => u.i === i);
  const ahead = rows.ahead.filter((u) => u.i === i);
  const byDept = new Map(departments.map((d) => [d.code, zero()]));
  const total = zero();
  for (const d of days) {
    const f = byDept.get(d.department_code);
    if (!f) continue;
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
      ...(d.system ? {} : { figures: oneStop.get(d.code) }),
      decidedRecorded: decidedBy.get(d.code) ?? 0,
      undeliveredDays: undelivered
        .filter((u) => u.department_code === d.code)
        .map((u) => ({ day: u.day, count: u.count, digest: BigInt(u.digest), codes: u.codes })),
      handedDigest: digestBy.get(d.code) ?? 0n,
      statusDigest: statusDigestBy.get(d.code) ?? 0n,
      statusesAhead: ahead
        .filter((u) => u.department_code === d.code)
        .map((u) => ({ day: u.day, delta: BigInt(u.delta), codes: u.codes })),
    }))
    .sort((a, b) => b.received.total - a.received.total || a.departmentCode.localeCompare(b.departmentCode));
  return {
    period: p,
    published: false,
    revisions: [],
    received: total,
    returned: days.reduce((sum, d) => sum + d.returned, 0),
    returnedByPost: days.reduce((sum, d) => sum + d.by_post, 0),
    // A department's report counts the ratings given on its own dossiers.
    ratings: { total: other.total, verySatisfied: other.very, satisfied: other.satisfied, dissatisfied: other.dissatisfied },
    departments: parts,
  };
}

const memos = new WeakMap<DataSource, OperationMemo<RegisterFigures>>();

/**
 * Every report of a request (a series, say) in one statement; figures the same gateway operation already
 * had computed here (in its first hop) are reused.
 */
export function registerFiguresLoader(db: DataSource, requestId: string) {
  let memo = memos.get(db);
  if (!memo) memos.set(db, (memo = new OperationMemo()));
  const m = memo;
  return new DataLoader<string, RegisterFigures>(async (keys) => {
    const found = new Map(keys.map((k) => [k, m.get(`${requestId}|${k}`)]));
    const missing = keys.filter((k) => !found.get(k));
    if (missing.length) {
      const scopes = missing.map((k) => parseReportKey(k)!);
      const periods = scopes.map((s) => period(s.from, s.to));
      const q: Statement = (name, text, values) => preparedQuery(db, name, text, values);
      const computed = registerRows(q, scopes, periods).then(async (rows) => {
        const live = scopes.map((s, i) => registerFiguresOf(rows, s, periods[i], i + 1));
        return withPublished(q, live, scopes, rows.closed_months);
      });
      missing.forEach((k, i) => {
        const one = computed.then((all) => all[i]);
        found.set(k, one);
        m.set(`${requestId}|${k}`, one);
      });
    }
    return Promise.all(keys.map((k) => found.get(k)!));
  });
}
