import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { DataSource } from 'typeorm';
import { from as copyFrom } from 'pg-copy-streams';
import { calendar, localDate, localTime } from '../subgraphs/kit/calendar/working-time';
import { formatDossierCode } from '../subgraphs/kit/dossier-code';
import { DEPARTMENTS, PROCEDURES, DepartmentSeed, ProcedureSeed } from './catalogue';
import { person } from './people';
import { Random } from './random';

/**
 * Years of realistic history, fast: `npm run seed -- --dossiers 1000000`. Rows go in with COPY, in chunks,
 * into the register and each processing system's table, the tables the report reads.
 */
const START = '2019-01-02';
const END = '2025-12-31';
const CHUNK = 50_000;

function workingDays(): string[] {
  const days: string[] = [];
  for (let d = new Date(`${START}T00:00:00Z`); d <= new Date(`${END}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) {
    const day = d.toISOString().slice(0, 10);
    if (calendar.isWorkingDay(day)) days.push(day);
  }
  return days;
}

const tsv = (v: unknown) => (v === null || v === undefined ? '\\N' : v instanceof Date ? v.toISOString() : String(v).replace(/[\t\n\\]/g, ' '));

async function copy(db: DataSource, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  if (!rows.length) return;
  const runner = db.createQueryRunner();
  await runner.connect();
  try {
    const client = (await runner.connect()) as { query: (s: unknown) => NodeJS.WritableStream };
    const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
    await pipeline(Readable.from(rows.map((r) => `${r.map(tsv).join('\t')}\n`)), stream);
  } finally {
    await runner.release();
  }
}

const DOSSIER = ['code', 'procedure_code', 'department_code', 'processing_system', 'channel', 'received_at', 'due_at', 'handed_over_at', 'decided_at', 'decision', 'returned_at', 'return_channel', 'withdrawn_at', 'status', 'applicant_full_name', 'applicant_id_number', 'applicant_phone', 'applicant_address'];
const PROCESSING = ['dossier_code', 'procedure_code', 'received_at', 'due_at', 'status', 'officer', 'decision', 'decided_at', 'department_code', 'applicant_id_number', 'withdrawn_at'];

export async function seedScale(dbs: Record<string, DataSource>, total: number, log: (s: string) => void = () => {}): Promise<void> {
  const r = new Random(total);
  const days = workingDays();
  const procs = new Map(DEPARTMENTS.map((d) => [d.code, PROCEDURES.filter((p) => p.departmentCode === d.code)]));
  const deptWeights = DEPARTMENTS.map((d) => [d, d.april] as const);
  const counters = new Map<string, number>();
  const people = Array.from({ length: 5000 }, () => person(r));
  const now = localTime(END, 17);
  // Bulk loads update the same daily rollup row thousands of times in one transaction, which PostgreSQL
  // cannot prune: the rollup triggers are off during the load and the rollups rebuilt once at the end.
  const rollups = Object.entries(dbs).filter(([name]) => name !== 'postal');
  for (const [name, db] of rollups) {
    await db.query('ALTER TABLE processing DISABLE TRIGGER processing_report_day');
    if (name === 'intake') await db.query('ALTER TABLE dossier DISABLE TRIGGER dossier_register_day');
  }
  let written = 0;
  while (written < total) {
    const n = Math.min(CHUNK, total - written);
    const register: unknown[][] = [];
    const processing = new Map<string | null, unknown[][]>();
    for (let i = 0; i < n; i++) {
      const dept: DepartmentSeed = r.weighted(deptWeights);
      const proc: ProcedureSeed = r.weighted(procs.get(dept.code)!.map((p) => [p, p.weight] as const));
      const day = days[Math.floor(((written + i) / total) * days.length)];
      const minute = r.int(0, 479);
      const receivedAt = minute < 270 ? localTime(day, 7, minute) : localTime(day, 13, 30 + minute - 270);
      const dueAt = calendar.dueAt(receivedAt, proc.workingDays);
      const fate = r.next();
      const span = calendar.workingHoursBetween(receivedAt, dueAt);
      let decidedAt: Date | null = null;
      let withdrawnAt: Date | null = null;
      if (fate < 0.01) withdrawnAt = calendar.addWorkingHours(receivedAt, Math.max(1, span * r.next() * 0.5));
      else if (fate < 0.56) decidedAt = calendar.addWorkingHours(receivedAt, Math.max(1, span * (0.2 + 0.6 * r.next())));
      else if (fate < 0.995) decidedAt = calendar.addWorkingHours(receivedAt, Math.max(1, span - r.int(0, 4)));
      else decidedAt = calendar.addWorkingHours(dueAt, r.int(8, 40));
      if (decidedAt && decidedAt > now) decidedAt = null;
      if (withdrawnAt && withdrawnAt > now) withdrawnAt = null;
      const returnedAt = decidedAt && r.chance(0.9) ? calendar.addWorkingHours(decidedAt, r.int(1, 16)) : null;
      const returnedOk = returnedAt && returnedAt <= now ? returnedAt : null;
      const key = `${dept.unitCode}|${day}`;
      const seq = (counters.get(key) ?? 0) + 1;
      counters.set(key, seq);
      const code = formatDossierCode(dept.unitCode, localDate(receivedAt), seq);
      const who = people[r.int(0, people.length - 1)];
      const status = withdrawnAt ? 'CANCELLED' : returnedOk ? 'DONE' : decidedAt ? 'RELEASING' : 'PROCESSING';
      const decision = decidedAt ? (r.chance(0.97) ? 'APPROVED' : 'REJECTED') : null;
      const channel = r.weighted([['DIRECT', 60], ['ONLINE', 37], ['POSTAL', 3]] as const);
      const returnChannel = returnedOk ? (r.chance(0.08) ? 'POSTAL' : 'DIRECT') : null;
      register.push([code, proc.code, dept.code, dept.system, channel, receivedAt, dueAt, receivedAt, decidedAt, decision, returnedOk, returnChannel, withdrawnAt, status, who.fullName, who.idNumber, who.phone, who.address]);
      const rows = processing.get(dept.system) ?? [];
      rows.push([code, proc.code, receivedAt, dueAt, status, 'Cán bộ xử lý', decision, decidedAt, dept.code, who.idNumber, withdrawnAt]);
      processing.set(dept.system, rows);
    }
    await copy(dbs.intake, 'dossier', DOSSIER, register);
    for (const [system, rows] of processing) await copy(dbs[system ?? 'intake'], 'processing', PROCESSING, rows);
    written += n;
    log(`${written} dossiers`);
  }
  for (const [key, last] of counters) {
    const [unit, day] = key.split('|');
    await dbs.intake.query(
      `INSERT INTO dossier_counter (unit_code, day, last) VALUES ($1, $2, $3)
       ON CONFLICT (unit_code, day) DO UPDATE SET last = GREATEST(dossier_counter.last, EXCLUDED.last)`,
      [unit, day, last],
    );
  }
  for (const [name, db] of rollups) {
    await db.query('ALTER TABLE report_day DISABLE TRIGGER report_day_month');
    await db.query('SELECT report_day_rebuild()');
    await db.query('DELETE FROM report_month');
    await db.query(`INSERT INTO report_month (department_code, month, received, finished)
      SELECT department_code, date_trunc('month', day)::date, sum(received), sum(early + on_time + late + withdrawn) FROM report_day GROUP BY 1, 2`);
    await db.query('ALTER TABLE report_day ENABLE TRIGGER report_day_month');
    await db.query('ALTER TABLE processing ENABLE TRIGGER processing_report_day');
    if (name === 'intake') {
      await db.query('SELECT register_day_rebuild()');
      await db.query('ALTER TABLE dossier ENABLE TRIGGER dossier_register_day');
    }
  }
  // Statistics for the planner, and the visibility map that lets the report read its rollups index-only.
  for (const db of Object.values(dbs)) await db.query('VACUUM ANALYZE');
}
