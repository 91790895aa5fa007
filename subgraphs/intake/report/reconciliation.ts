import type { DataSource } from 'typeorm';
import type { ReceivedDay, ResolvedFigures } from '../../kit/report/figures';
import type { DepartmentPart, RegisterFigures } from './report.data';
import { Reconciliation } from './report.types';

/** What a department system sent of its part (through the router, for the register's @requires). */
export interface SystemPart {
  reportKey?: string;
  receivedCount?: number;
  resolved?: ResolvedFigures;
  unreportedDecisions?: string[];
  receivedDays?: ReceivedDay[];
}

interface Day {
  count: number;
  digest: bigint;
}

const FIRST = 50;
const list = (codes: string[]) => (codes.length ? `: ${codes.slice(0, FIRST).join(', ')}` : '');

/**
 * Compares each department system's figures with the register's: counts of dossiers handed over and of
 * decisions, with the dossier codes still in an outbox, and — where the two sides' digests of the codes
 * received in the period differ — which dossiers a system lacks. Costs no statement while they agree; when they
 * do not, one to read the register's days and one to find the dossiers whose digest is the difference.
 */
export async function reconcile(db: DataSource, register: RegisterFigures, external: SystemPart[]): Promise<Reconciliation> {
  const byKey = new Map(external.filter((e) => e.reportKey).map((e) => [e.reportKey!, e]));
  const problems: string[] = [];
  const differing: { part: DepartmentPart; theirs: SystemPart }[] = [];
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
      const theirDigest = theirs.receivedDays.reduce((x, day) => x ^ BigInt(day.digest), 0n);
      const pending = d.undeliveredDays.reduce((x, day) => x ^ day.digest, 0n);
      const withThem = BigInt.asIntN(64, d.handedDigest ^ theirDigest);
      if (withThem !== 0n && BigInt.asIntN(64, withThem ^ pending) !== 0n) differing.push({ part: d, theirs });
    }
  }
  if (differing.length) problems.push(...(await dossiersApart(db, register, differing)));
  return Object.assign(new Reconciliation(), { consistent: problems.length === 0, problems });
}

/** Day by day, which dossiers the register handed over that a system lacks (or holds without the register). */
async function dossiersApart(db: DataSource, register: RegisterFigures, differing: { part: DepartmentPart; theirs: SystemPart }[]): Promise<string[]> {
  const codes = differing.map((x) => x.part.departmentCode);
  const rows: { department_code: string; day: string; count: number; digest: string }[] = await db.query(
    `SELECT department_code, to_char(day, 'YYYY-MM-DD') AS day, (online + direct + postal)::int AS count, handed_digest::text AS digest
       FROM register_day WHERE department_code = ANY($1) AND day BETWEEN $2 AND $3`,
    [codes, register.period.from, register.period.to],
  );
  const lookups: { department: string; day: string; digest: bigint }[] = [];
  const lines = new Map<string, string[]>();
  const note = (d: DepartmentPart, line: string) => lines.set(d.departmentCode, [...(lines.get(d.departmentCode) ?? []), line]);
  for (const { part, theirs } of differing) {
    const mine = new Map<string, Day>(
      rows.filter((r) => r.department_code === part.departmentCode).map((r) => [r.day, { count: r.count, digest: BigInt(r.digest) }]),
    );
    const queued = new Map(part.undeliveredDays.map((u) => [u.day, u]));
    const their = new Map<string, Day>((theirs.receivedDays ?? []).map((r) => [r.day, { count: r.count, digest: BigInt(r.digest) }]));
    const same = (x: Day, y: Day) => x.count === y.count && BigInt.asIntN(64, x.digest ^ y.digest) === 0n;
    for (const day of [...new Set([...mine.keys(), ...their.keys()])].sort()) {
      const all = mine.get(day) ?? { count: 0, digest: 0n };
      const q = queued.get(day);
      // Without the hand-overs still queued (already named), unless the system holds them already.
      const a = q ? { count: all.count - q.count, digest: all.digest ^ q.digest } : all;
      const b = their.get(day) ?? { count: 0, digest: 0n };
      if (same(all, b) || same(a, b)) continue;
      const apart = BigInt.asIntN(64, a.digest ^ b.digest);
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
  return problems;
}
