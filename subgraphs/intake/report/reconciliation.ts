import type { DataSource } from 'typeorm';
import type { ReceivedDay, ResolvedFigures } from '../../kit/report/figures';
import { STEPS } from '../../kit/department/lifecycle';
import { ProcessingStatus } from '../../kit/department/processing-status';
import { DepartmentPart, REGISTER_AHEAD, RegisterFigures } from './report.data';
import { Reconciliation } from './report.types';

/** What a department system sent of its part (through the router, for the register's @requires). */
export interface SystemPart {
  reportKey?: string;
  receivedCount?: number;
  resolved?: ResolvedFigures;
  unreportedDecisions?: string[];
  receivedDays?: ReceivedDay[];
  statusesInFlight?: string[];
}

interface Day {
  count: number;
  digest: bigint;
}

/** The register's side of a department's day, for the comparisons day by day. */
interface RegisterDay extends Day {
  /** The day's status digest without the dossiers whose status report is still pending in the system's outbox. */
  statuses: bigint;
  /** The same, as the system holds it before the register's steps still in the register's outbox. */
  statusesBefore: bigint;
}

type Compared = { part: DepartmentPart; theirs: SystemPart };

const FIRST = 50;
const list = (codes: string[]) => (codes.length ? `: ${codes.slice(0, FIRST).join(', ')}` : '');
const xor = (...values: bigint[]) => BigInt.asIntN(64, values.reduce((x, v) => x ^ v, 0n));
const dayKey = (department: string, day: string) => `${department}|${day}`;

/**
 * Compares each department system's figures with the register's: counts of dossiers handed over and of
 * decisions, with the dossier codes still in an outbox; where the two sides' digests of the codes received in
 * the period differ, which dossiers a system lacks; and where their digests of (code, status) differ, which
 * dossiers the register and the system see in different statuses. A status report or a register step still in
 * an outbox is a lag, not a disagreement: those dossiers are left out. Costs no statement while they agree and
 * nothing is in flight; otherwise one to read the register's days, and one for each kind of difference to name
 * the dossiers whose digests are the difference.
 */
export async function reconcile(db: DataSource, register: RegisterFigures, external: SystemPart[]): Promise<Reconciliation> {
  const byKey = new Map(external.filter((e) => e.reportKey).map((e) => [e.reportKey!, e]));
  const problems: string[] = [];
  const codesDiffer: Compared[] = [];
  const statusesDiffer: Compared[] = [];
  for (const d of register.departments) {
    if (d.figures) continue;
    const theirs = byKey.get(d.id);
    if (!theirs) {
      problems.push(`${d.department.name}: its system did not answer`);
      continue;
    }
    if (theirs.receivedCount !== d.received.total) {
      problems.push(
        `${d.department.name}: the centre handed over ${d.received.total} dossiers received in the period, its system holds ${theirs.receivedCount}` +
          (d.undeliveredDays.length ? `; not yet delivered${list(d.undeliveredDays.flatMap((u) => u.codes))}` : ''),
      );
    }
    if (theirs.resolved!.total !== d.decidedRecorded) {
      problems.push(
        `${d.department.name}: its system decided ${theirs.resolved!.total} dossiers in the period, the centre recorded ${d.decidedRecorded}` +
          (theirs.unreportedDecisions?.length ? `; not yet recorded${list(theirs.unreportedDecisions)}` : ''),
      );
    }
    if (theirs.receivedDays) {
      // Hand-overs still in the outbox may or may not have been applied (delivery is at least once, the
      // acknowledgement may be what was lost): the system agrees if it matches with them or without them.
      const theirDigest = xor(...theirs.receivedDays.map((day) => BigInt(day.digest)));
      const pending = xor(...d.undeliveredDays.map((day) => day.digest));
      const withThem = xor(d.handedDigest, theirDigest);
      if (withThem !== 0n && xor(withThem, pending) !== 0n) codesDiffer.push({ part: d, theirs });
      // Statuses likewise with the register's own steps in flight; the system's status reports in flight
      // are left out of its digests, and of the register's only day by day.
      const theirStatuses = xor(...theirs.receivedDays.map((day) => BigInt(day.statusDigest)));
      const ahead = xor(...d.statusesAhead.map((a) => a.delta));
      const agree = !theirs.statusesInFlight?.length && (xor(d.statusDigest, theirStatuses) === 0n || xor(d.statusDigest, theirStatuses, ahead) === 0n);
      if (!agree) statusesDiffer.push({ part: d, theirs });
    }
  }
  if (codesDiffer.length || statusesDiffer.length) {
    const days = await registerDays(db, register, [...codesDiffer, ...statusesDiffer]);
    const codes = await dossiersApart(db, register, codesDiffer, days);
    problems.push(...codes.problems);
    // A day where a dossier is missing on one side differs in statuses too: said once, as the missing dossier.
    problems.push(...(await statusesApart(db, statusesDiffer, days, codes.days)));
  }
  return Object.assign(new Reconciliation(), { consistent: problems.length === 0, problems });
}

/** The register's days of the departments compared, keyed by department and day. */
async function registerDays(db: DataSource, register: RegisterFigures, compared: Compared[]): Promise<Map<string, RegisterDay>> {
  const departments = [...new Set(compared.map((x) => x.part.departmentCode))];
  const inFlight = [...new Set(compared.flatMap((x) => x.theirs.statusesInFlight ?? []))];
  const rows: { department_code: string; day: string; count: number; digest: string; statuses: string; before: string }[] = await db.query(
    `SELECT r.department_code, to_char(r.day, 'YYYY-MM-DD') AS day, (r.online + r.direct + r.postal)::int AS count, r.handed_digest::text AS digest,
            (r.status_digest # coalesce(f.statuses, 0))::text AS statuses, (r.status_digest # coalesce(f.before, 0))::text AS before
       FROM register_day r
       LEFT JOIN (
         SELECT d.department_code, (d.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day,
                bit_xor(dossier_status_digest(d.code, d.status)) AS statuses,
                bit_xor(CASE WHEN o.handover THEN 0 WHEN o.returned THEN dossier_status_digest(d.code, $5)
                             ELSE dossier_status_digest(d.code, d.status) END) AS before
           FROM dossier d
           LEFT JOIN (SELECT dossier_code, bool_or(type = 'HANDOVER') AS handover, bool_or(type <> 'HANDOVER') AS returned
                        FROM outbox_message WHERE ${REGISTER_AHEAD} AND dossier_code = ANY($4) GROUP BY dossier_code) o ON o.dossier_code = d.code
          WHERE d.code = ANY($4) GROUP BY 1, 2) f ON f.department_code = r.department_code AND f.day = r.day
      WHERE r.department_code = ANY($1) AND r.day BETWEEN $2 AND $3`,
    [departments, register.period.from, register.period.to, inFlight, STEPS.returnResult.from[0]],
  );
  return new Map(
    rows.map((r) => [
      dayKey(r.department_code, r.day),
      { count: r.count, digest: BigInt(r.digest), statuses: BigInt(r.statuses), statusesBefore: BigInt(r.before) },
    ]),
  );
}

/**
 * Day by day, which dossiers the register handed over that a system lacks (or holds without the register);
 * with the days found apart.
 */
async function dossiersApart(
  db: DataSource,
  register: RegisterFigures,
  differing: Compared[],
  registerDays: Map<string, RegisterDay>,
): Promise<{ problems: string[]; days: Set<string> }> {
  const apartDays = new Set<string>();
  if (!differing.length) return { problems: [], days: apartDays };
  const lookups: { department: string; day: string; digest: bigint }[] = [];
  const lines = new Map<string, string[]>();
  const note = (d: DepartmentPart, line: string) => lines.set(d.departmentCode, [...(lines.get(d.departmentCode) ?? []), line]);
  for (const { part, theirs } of differing) {
    const mine = new Map([...registerDays].filter(([k]) => k.startsWith(`${part.departmentCode}|`)).map(([k, v]) => [k.slice(part.departmentCode.length + 1), v]));
    const queued = new Map(part.undeliveredDays.map((u) => [u.day, u]));
    const their = new Map<string, Day>((theirs.receivedDays ?? []).map((r) => [r.day, { count: r.count, digest: BigInt(r.digest) }]));
    const same = (x: Day, y: Day) => x.count === y.count && xor(x.digest, y.digest) === 0n;
    for (const day of [...new Set([...mine.keys(), ...their.keys()])].sort()) {
      const all = mine.get(day) ?? { count: 0, digest: 0n };
      const q = queued.get(day);
      // Without the hand-overs still queued (already named), unless the system holds them already.
      const a = q ? { count: all.count - q.count, digest: all.digest ^ q.digest } : all;
      const b = their.get(day) ?? { count: 0, digest: 0n };
      if (same(all, b) || same(a, b)) continue;
      apartDays.add(dayKey(part.departmentCode, day));
      const apart = xor(a.digest, b.digest);
      if (a.count - b.count === 1) lookups.push({ department: part.departmentCode, day, digest: apart });
      else if (b.count - a.count === 1) note(part, `its system holds a dossier received on ${day} that the centre did not hand over`);
      else note(part, `on ${day} the centre handed over ${a.count} dossiers, its system holds ${b.count}`);
    }
  }
  const missing = new Map<string, string[]>();
  if (lookups.length) {
    const found: { department_code: string; day: string; code: string }[] = await db.query(
      `SELECT l.department AS department_code, to_char(l.day, 'YYYY-MM-DD') AS day, d.code
         FROM unnest($1::text[], $2::date[], $3::bigint[]) AS l(department, day, digest)
         JOIN dossier d ON d.department_code = l.department
          AND d.received_at >= (l.day::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')
          AND d.received_at < ((l.day + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')
          AND dossier_code_digest(d.code) = l.digest
        ORDER BY d.code`,
      [lookups.map((l) => l.department), lookups.map((l) => l.day), lookups.map((l) => l.digest.toString())],
    );
    for (const l of lookups) {
      const hit = found.find((f) => f.department_code === l.department && f.day === l.day);
      const part = differing.find((x) => x.part.departmentCode === l.department)!.part;
      if (hit) missing.set(l.department, [...(missing.get(l.department) ?? []), hit.code]);
      else note(part, `on ${l.day} one dossier handed over is not in its system, and another differs`);
    }
  }
  const problems: string[] = [];
  for (const { part } of differing) {
    const name = part.department.name;
    const codes = missing.get(part.departmentCode) ?? [];
    if (codes.length) problems.push(`${name}: handed over, not in its system${list(codes)}`);
    for (const line of lines.get(part.departmentCode) ?? []) problems.push(`${name}: ${line}`);
  }
  return { problems, days: apartDays };
}

interface Split {
  code: string;
  ours: string;
  theirs: string;
}

/**
 * Day by day, which dossiers the register and a system see in different statuses. Where a day's digests differ
 * by one dossier's (code, status) pair for another status, or by two dossiers', that is found among the day's
 * dossiers in the register by trying every other status; more than two on a day are named by the day.
 */
async function statusesApart(db: DataSource, differing: Compared[], registerDays: Map<string, RegisterDay>, apartDays: Set<string>): Promise<string[]> {
  const lookups: { department: string; day: string; digest: bigint }[] = [];
  const inFlight = new Set<string>();
  for (const { part, theirs } of differing) {
    const ahead = new Map(part.statusesAhead.map((a) => [a.day, a.delta]));
    for (const code of [...(theirs.statusesInFlight ?? []), ...part.statusesAhead.flatMap((a) => a.codes)]) inFlight.add(code);
    const their = new Map((theirs.receivedDays ?? []).map((r) => [r.day, BigInt(r.statusDigest)]));
    const mine = [...registerDays].filter(([k]) => k.startsWith(`${part.departmentCode}|`)).map(([k]) => k.slice(part.departmentCode.length + 1));
    for (const day of [...new Set([...mine, ...their.keys()])].sort()) {
      if (apartDays.has(dayKey(part.departmentCode, day))) continue;
      const r = registerDays.get(dayKey(part.departmentCode, day));
      const t = their.get(day) ?? 0n;
      const applied = xor(t, r?.statuses ?? 0n);
      const before = xor(t, r?.statusesBefore ?? 0n, ahead.get(day) ?? 0n);
      if (applied === 0n || before === 0n) continue;
      lookups.push({ department: part.departmentCode, day, digest: applied });
      if (ahead.has(day)) lookups.push({ department: part.departmentCode, day, digest: before });
    }
  }
  if (!lookups.length) return [];
  const found: { n: string; split: Split[] }[] = await db.query(
    `WITH l AS (SELECT * FROM unnest($1::text[], $2::date[], $3::bigint[]) WITH ORDINALITY AS l(department, day, digest, n)),
     c AS MATERIALIZED (
       SELECT l.n, d.code, d.status AS ours, s.status AS theirs,
              dossier_status_digest(d.code, d.status) # dossier_status_digest(d.code, s.status) AS v
         FROM l JOIN dossier d ON d.department_code = l.department
          AND d.received_at >= (l.day::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')
          AND d.received_at < ((l.day + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')
          AND NOT d.code = ANY($5::text[])
        CROSS JOIN unnest($4::text[]) AS s(status)
        WHERE s.status <> d.status)
     SELECT c.n::text AS n, json_build_array(json_build_object('code', c.code, 'ours', c.ours, 'theirs', c.theirs)) AS split
       FROM c JOIN l ON l.n = c.n WHERE c.v = l.digest
     UNION ALL
     SELECT a.n::text, json_build_array(json_build_object('code', a.code, 'ours', a.ours, 'theirs', a.theirs),
                                        json_build_object('code', b.code, 'ours', b.ours, 'theirs', b.theirs))
       FROM c a JOIN l ON l.n = a.n JOIN c b ON b.n = a.n AND b.code > a.code AND b.v = (a.v # l.digest)`,
    [lookups.map((l) => l.department), lookups.map((l) => l.day), lookups.map((l) => l.digest.toString()), Object.values(ProcessingStatus), [...inFlight]],
  );
  const splits = new Map<string, Map<string, Split>>();
  const unnamed = new Map<string, Set<string>>();
  const named = new Set<string>();
  lookups.forEach((l, i) => {
    const hit = found.find((f) => f.n === String(i + 1));
    if (!hit) return;
    named.add(dayKey(l.department, l.day));
    const mine = splits.get(l.department) ?? new Map<string, Split>();
    for (const s of hit.split) mine.set(s.code, s);
    splits.set(l.department, mine);
  });
  for (const l of lookups) {
    if (named.has(dayKey(l.department, l.day))) continue;
    unnamed.set(l.department, (unnamed.get(l.department) ?? new Set()).add(l.day));
  }
  const problems: string[] = [];
  for (const { part } of differing) {
    const name = part.department.name;
    const apart = [...(splits.get(part.departmentCode)?.values() ?? [])].sort((a, b) => a.code.localeCompare(b.code));
    if (apart.length) {
      problems.push(
        `${name}: the register and its system disagree on the status of ` +
          apart.slice(0, FIRST).map((s) => `${s.code} (the register says ${s.ours}, its system ${s.theirs})`).join(', '),
      );
    }
    for (const day of unnamed.get(part.departmentCode) ?? []) {
      problems.push(`${name}: the register and its system disagree on the statuses of several dossiers received on ${day}`);
    }
  }
  return problems;
}
