import type { DataSource, EntityManager } from 'typeorm';
import type { MovedProcessing } from '../../subgraphs/kit/department/processing.adopt';
import type { SubgraphModule } from '../../subgraphs/kit/subgraph';
import { adoptClosedPeriods, MovedPeriod } from '../../subgraphs/kit/periods/period.adopt';
import { subgraph } from '../../subgraphs/registry';

export interface MoveOptions {
  departmentCode: string;
  to: string;
  batchSize: number;
  auditKey: string;
  log(line: string): void;
}

export interface MoveResult {
  dossiers: number;
  /** Records that changed in the department's system since the move (on a run after it): its own work since. */
  changedSince: number;
  cutOverAt: Date;
}

export class MoveRefused extends Error {}

const REGISTER = 'intake';

/**
 * What reconciliation compares, per dossier and the same on both sides: the kit's columns of its processing record
 * and its whole history, in order. Instants as epoch numbers, so no session setting changes the text.
 */
const DIGESTS = `
  SELECT p.dossier_code AS code, md5(concat_ws('|', p.procedure_code, extract(epoch FROM p.received_at), extract(epoch FROM p.due_at), p.status,
           p.officer, p.decision, extract(epoch FROM p.decided_at), p.decided_by, p.processing_hours, extract(epoch FROM p.withdrawn_at),
           extract(epoch FROM p.withdrawal_refused_at), p.department_code, p.applicant_id_number,
           (SELECT string_agg(concat_ws('/', s.status, extract(epoch FROM s.at), s.officer, s.note), ';' ORDER BY s.at, s.id)
              FROM status_change s WHERE s.dossier_code = p.dossier_code))) AS digest
    FROM processing p WHERE p.department_code = $1`;

async function digests(q: DataSource | EntityManager, departmentCode: string): Promise<Map<string, string>> {
  const rows: { code: string; digest: string }[] = await q.query(DIGESTS, [departmentCode]);
  return new Map(rows.map((r) => [r.code, r.digest]));
}

/** The one-stop records of `codes` (or the batch after `after`), with their histories and due dates, read from the register's database. */
async function oneStopRecords(q: DataSource | EntityManager, departmentCode: string, page: { after: string; limit: number } | { codes: string[] }): Promise<MovedProcessing[]> {
  const rows: any[] = 'codes' in page
    ? await q.query(`SELECT * FROM processing WHERE department_code = $1 AND dossier_code = ANY($2) ORDER BY dossier_code`, [departmentCode, page.codes])
    : await q.query(`SELECT * FROM processing WHERE department_code = $1 AND dossier_code > $2 ORDER BY dossier_code LIMIT $3`, [departmentCode, page.after, page.limit]);
  if (!rows.length) return [];
  const codes = rows.map((r) => r.dossier_code);
  const history: any[] = await q.query(`SELECT dossier_code, status, at, officer, note FROM status_change WHERE dossier_code = ANY($1) ORDER BY dossier_code, at, id`, [codes]);
  const dueDates: any[] = await q.query(`SELECT dossier_code, due_at, at, reason FROM due_date_change WHERE dossier_code = ANY($1) ORDER BY dossier_code, at, id`, [codes]);
  const by = <T extends { dossier_code: string }>(list: T[]) => {
    const m = new Map<string, T[]>();
    for (const x of list) m.set(x.dossier_code, [...(m.get(x.dossier_code) ?? []), x]);
    return m;
  };
  const histories = by(history);
  const due = by(dueDates);
  return rows.map((r) => ({
    record: {
      dossierCode: r.dossier_code, procedureCode: r.procedure_code, receivedAt: r.received_at, dueAt: r.due_at, status: r.status,
      officer: r.officer, decision: r.decision, decidedAt: r.decided_at, decidedBy: r.decided_by, processingHours: r.processing_hours,
      withdrawnAt: r.withdrawn_at, withdrawalRefusedAt: r.withdrawal_refused_at, departmentCode: r.department_code,
      applicantIdNumber: r.applicant_id_number, updatedAt: r.updated_at,
    },
    detail: r.result_document ? { resultDocument: r.result_document } : {},
    history: (histories.get(r.dossier_code) ?? []).map((h) => ({ status: h.status, at: h.at, officer: h.officer, note: h.note })),
    dueDates: (due.get(r.dossier_code) ?? []).map((d) => ({ dossierCode: d.dossier_code, dueAt: d.due_at, at: d.at, reason: d.reason })),
  }));
}

/** The department's one-stop figures of every month the register has closed, as published. */
async function closedMonths(q: EntityManager, departmentCode: string): Promise<MovedPeriod[]> {
  const rows: any[] = await q.query(
    `SELECT to_char(month, 'YYYY-MM') AS month, closed_at, closed_by, figures->'departments'->$1->'figures' AS figures
       FROM report_period WHERE figures->'departments'->$1 ? 'figures' ORDER BY month`, [departmentCode]);
  return rows.map((r) => ({ month: r.month, closedAt: r.closed_at, closedBy: r.closed_by, figures: r.figures }));
}

/**
 * Moves a department from the one-stop system to a system of its own: copies its processing records and their
 * history there in batches (resuming where an interrupted run stopped; a batch copied again replaces itself), then,
 * in one transaction of the register, switches the department and its dossiers over, copies what changed during
 * the copy, and proves the two sides agree dossier by dossier before it commits. New dossiers go to the new system
 * from that commit on; nothing restarts. A run after the move reconciles again.
 */
export async function moveDepartment(dbs: Record<string, DataSource>, o: MoveOptions): Promise<MoveResult> {
  const register = dbs[REGISTER];
  const target = dbs[o.to];
  const entry = subgraph(o.to);
  const module: SubgraphModule = await entry.load();
  if (!entry.processingType || !module.adoptProcessing) throw new MoveRefused(`${o.to} is not a department system`);
  if (entry.departmentCode && entry.departmentCode !== o.departmentCode) {
    throw new MoveRefused(`${o.to} serves department ${entry.departmentCode} (subgraphs/registry.ts), not ${o.departmentCode}`);
  }
  const [department] = await register.query('SELECT code, system FROM department WHERE code = $1', [o.departmentCode]);
  if (!department) throw new MoveRefused(`no department ${o.departmentCode} in the catalogue`);
  if (department.system && department.system !== o.to) throw new MoveRefused(`department ${o.departmentCode} works in the ${department.system} system, not the one-stop system`);
  await register.query(`INSERT INTO department_move (department_code, to_system) VALUES ($1, $2) ON CONFLICT (department_code) DO NOTHING`, [o.departmentCode, o.to]);
  const [move] = await register.query('SELECT to_system, copied_through, cut_over_at FROM department_move WHERE department_code = $1', [o.departmentCode]);
  if (move.to_system !== o.to) throw new MoveRefused(`department ${o.departmentCode} is moving to ${move.to_system}`);
  if (move.cut_over_at) return reconcileAfter(register, target, o, move.cut_over_at);

  let after: string = move.copied_through ?? '';
  let copied = 0;
  for (;;) {
    const batch = await oneStopRecords(register, o.departmentCode, { after, limit: o.batchSize });
    if (!batch.length) break;
    await target.transaction((m) => module.adoptProcessing!(m, batch));
    after = batch[batch.length - 1].record.dossierCode;
    await register.query('UPDATE department_move SET copied_through = $2 WHERE department_code = $1', [o.departmentCode, after]);
    copied += batch.length;
    o.log(`copied ${copied} records to ${o.to} (through ${after})`);
  }

  return register.transaction(async (m) => {
    // The share lock a receipt takes on its department, and the dossier rows a one-stop step locks to report its
    // status, make every step and receipt either land before this switch (and be copied below) or after it.
    await m.query('UPDATE department SET system = $2 WHERE code = $1', [o.departmentCode, o.to]);
    // TypeORM answers an UPDATE with [rows, count].
    const [, switched]: [unknown, number] = await m.query(
      'UPDATE dossier SET processing_system = $2 WHERE department_code = $1 AND processing_system IS NULL', [o.departmentCode, o.to]);
    const here = await digests(m, o.departmentCode);
    const there = await digests(target, o.departmentCode);
    const stale = [...here].filter(([code, digest]) => there.get(code) !== digest).map(([code]) => code);
    const strays = [...there.keys()].filter((code) => !here.has(code));
    if (strays.length) throw new MoveRefused(`${o.to} holds ${strays.length} ${o.departmentCode} records the one-stop system does not, e.g. ${strays[0]}: nothing switched`);
    const periods = await closedMonths(m, o.departmentCode);
    await target.transaction(async (t) => {
      for (let i = 0; i < stale.length; i += o.batchSize) {
        await module.adoptProcessing!(t, await oneStopRecords(m, o.departmentCode, { codes: stale.slice(i, i + o.batchSize) }));
      }
      await adoptClosedPeriods(t, o.auditKey, REGISTER, o.departmentCode, periods);
      const copiedNow = await digests(t, o.departmentCode);
      const differ = [...here].filter(([code, digest]) => copiedNow.get(code) !== digest).map(([code]) => code);
      if (differ.length || copiedNow.size !== here.size) {
        throw new MoveRefused(`reconciliation failed: ${differ.length} records differ in ${o.to}, e.g. ${differ[0] ?? '(a count)'}: nothing switched`);
      }
    });
    const [[{ cut_over_at }]] = await m.query('UPDATE department_move SET cut_over_at = now(), dossiers = $2 WHERE department_code = $1 RETURNING cut_over_at',
      [o.departmentCode, here.size]);
    o.log(`${stale.length} records changed during the copy, copied again; ${switched} dossiers of ${o.departmentCode} switched to ${o.to}; ${periods.length} closed months kept as published`);
    o.log(`reconciled: ${here.size} dossiers, each once in ${o.to}, with the same statuses, decisions, decision times and history`);
    return { dossiers: here.size, changedSince: 0, cutOverAt: cut_over_at };
  });
}

/** After the move: every record the one-stop system kept is in the new system once; those that differ were worked on there since. */
async function reconcileAfter(register: DataSource, target: DataSource, o: MoveOptions, cutOverAt: Date): Promise<MoveResult> {
  const here = await digests(register, o.departmentCode);
  const there = await digests(target, o.departmentCode);
  const missing = [...here.keys()].filter((code) => !there.has(code));
  if (missing.length) throw new MoveRefused(`reconciliation failed: ${missing.length} records of ${o.departmentCode} are missing from ${o.to}, e.g. ${missing[0]}`);
  const changedSince = [...here].filter(([code, digest]) => there.get(code) !== digest).length;
  o.log(`moved to ${o.to} at ${cutOverAt.toISOString()}: ${here.size} dossiers, each in ${o.to}; ${changedSince} worked on there since`);
  return { dossiers: here.size, changedSince, cutOverAt };
}
