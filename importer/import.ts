import type { DataSource } from 'typeorm';
import { nextDossierCodes } from '../subgraphs/intake/dossier-code.allocator';
import type { DossierHistory } from '../subgraphs/kit/history';
import { calendarDays } from '../subgraphs/kit/calendar/calendar.follower';
import { WorkingCalendar } from '../subgraphs/kit/calendar/working-time';
import { DEPARTMENT_SYSTEMS, SUBGRAPHS } from '../subgraphs/registry';
import { monthOf } from '../subgraphs/kit/periods/period.store';
import { batchOf, recordRevision } from '../subgraphs/kit/periods/period-revision';
import { Catalogue, Parsed, parseLine, toHistory } from './jsonl';

export interface ImportResult {
  lines: number;
  loaded: number;
  bad: { line: number; reason: string }[];
  /** New records stored, per system. */
  stored: Record<string, number>;
  /** The closed months the correction revised, per system and department. */
  revisions: { system: string; month: string; departmentCode: string }[];
}

/** An import into closed reporting periods: why, and who; kept as a revision beside each month's published figures. */
export interface Correction {
  reason: string;
  by: string;
  /** The audit chains' key: each revision is signed in the chain of the system it revises. */
  auditKey: string;
}

/** Every month a dossier's history has a step in, Vietnam time. */
function monthsOf(h: DossierHistory): Set<string> {
  const at = [h.receivedAt, h.handedOverAt, ...h.events.map((e) => e.at), ...(h.rating ? [h.rating.at] : [])];
  return new Set(at.map(monthOf));
}

async function closedMonths(dbs: Record<string, DataSource>): Promise<Map<string, Set<string>>> {
  const closed = new Map<string, Set<string>>();
  for (const name of ['intake', ...DEPARTMENT_SYSTEMS.map((s) => s.name)]) {
    const rows: { month: string }[] = await dbs[name].query(`SELECT to_char(month, 'YYYY-MM') AS month FROM report_period`);
    closed.set(name, new Set(rows.map((r) => r.month)));
  }
  return closed;
}

async function catalogueOf(intake: DataSource): Promise<Catalogue> {
  const procedures: { code: string; working_days: number; department_code: string }[] = await intake.query('SELECT code, working_days, department_code FROM procedure');
  const departments: { code: string; unit_code: string; system: string | null }[] = await intake.query('SELECT code, unit_code, system FROM department');
  return {
    procedures: new Map(procedures.map((p) => [p.code, { workingDays: p.working_days, departmentCode: p.department_code }])),
    departments: new Map(departments.map((d) => [d.code, { unitCode: d.unit_code, system: d.system }])),
  };
}

/**
 * The codes of lines that bring none: the one an earlier run allocated for the same line, else a new one, all
 * allocated in one transaction with the lines they belong to (a re-run finds them, one statement for the file).
 */
async function allocatedCodes(intake: DataSource, lines: Extract<Parsed, { ok: true }>[], catalogue: Catalogue): Promise<Map<string, string>> {
  const codes = new Map<string, string>();
  if (!lines.length) return codes;
  const known: { line_hash: string; dossier_code: string }[] = await intake.query(
    'SELECT line_hash, dossier_code FROM imported_line WHERE line_hash = ANY($1::char(64)[])', [[...new Set(lines.map((l) => l.hash))]],
  );
  for (const k of known) codes.set(k.line_hash, k.dossier_code);
  const fresh = [...new Map(lines.filter((l) => !codes.has(l.hash)).map((l) => [l.hash, l])).values()];
  if (!fresh.length) return codes;
  await intake.transaction(async (m) => {
    const allocated = await nextDossierCodes(m, fresh.map((l) => ({
      unitCode: catalogue.departments.get(catalogue.procedures.get(l.line.procedureCode)!.departmentCode)!.unitCode,
      receivedAt: new Date(l.line.receivedAt),
    })));
    await m.query('INSERT INTO imported_line (line_hash, dossier_code) SELECT * FROM unnest($1::char(64)[], $2::varchar[])', [fresh.map((l) => l.hash), allocated]);
    fresh.forEach((l, i) => codes.set(l.hash, allocated[i]));
  });
  return codes;
}

/**
 * Loads dossiers from JSON lines into every system that owns a part of them, through each system's own
 * import code (as the demo seed does). Bad lines are reported and skip; a re-run changes nothing.
 */
export async function importLines(lines: string[], dbs: Record<string, DataSource>, correction?: Correction): Promise<ImportResult> {
  const intake = dbs.intake;
  const catalogue = await catalogueOf(intake);
  // A line without dueAt is due by the province's calendar as the register has it, in a calendar of the import's own:
  // the process-wide one follows whichever system's database last reloaded it, and one may lag the register.
  const days = new WorkingCalendar(undefined, await calendarDays(intake));
  const bad: ImportResult['bad'] = [];
  const parsed: { line: number; parsed: Extract<Parsed, { ok: true }> }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    const p = parseLine(lines[i], catalogue);
    if (p.ok) parsed.push({ line: i + 1, parsed: p });
    else bad.push({ line: i + 1, reason: p.reason });
  }
  const codeOf = await allocatedCodes(intake, parsed.filter((p) => !p.parsed.line.code).map((p) => p.parsed), catalogue);
  const histories: DossierHistory[] = [];
  const lineOf = new Map<string, number>();
  for (const { line, parsed: p } of parsed) {
    const code = p.line.code ?? codeOf.get(p.hash)!;
    if (lineOf.has(code)) {
      bad.push({ line, reason: `code: ${code} appears twice in the file` });
      continue;
    }
    lineOf.set(code, line);
    histories.push(toHistory(p.line, code, catalogue, days));
  }
  const { accepted, revisions } = await intoClosedMonths(histories, dbs, bad, lineOf, correction);
  const stored: Record<string, number> = {};
  const batch = { dossiers: accepted, calendar: days };
  for (const s of SUBGRAPHS) stored[s.name] = await (await s.load()).importHistory(dbs[s.name], batch);
  bad.sort((a, b) => a.line - b.line);
  return { lines: lines.filter((l) => l.trim()).length, loaded: accepted.length, bad, stored, revisions };
}

/**
 * New dossiers with a step in a month a system has closed: refused without a correction; with one, recorded as a
 * revision of each such month in each system it touches (before the records themselves, so a run cut short and
 * run again leaves no change unexplained; a re-run records nothing more). Dossiers already imported change
 * nothing and pass.
 */
async function intoClosedMonths(histories: DossierHistory[], dbs: Record<string, DataSource>, bad: ImportResult['bad'], lineOf: Map<string, number>, correction?: Correction) {
  const closed = await closedMonths(dbs);
  const known = new Set<string>((await dbs.intake.query('SELECT code FROM dossier WHERE code = ANY($1)', [histories.map((h) => h.code)])).map((r: { code: string }) => r.code));
  const accepted: DossierHistory[] = [];
  const groups = new Map<string, { system: string; month: string; departmentCode: string; codes: string[] }>();
  for (const h of histories) {
    const systems = ['intake', ...(h.processingSystem ? [h.processingSystem] : [])];
    const hits = known.has(h.code) ? [] : [...monthsOf(h)].flatMap((month) => systems.filter((s) => closed.get(s)?.has(month)).map((system) => ({ system, month })));
    if (hits.length && !correction) {
      bad.push({ line: lineOf.get(h.code)!, reason: `${[...new Set(hits.map((x) => x.month))].sort().join(', ')}: a closed reporting period; import it with --correction "reason"` });
      continue;
    }
    accepted.push(h);
    for (const x of hits) {
      const key = `${x.system}|${x.month}|${h.departmentCode}`;
      const g = groups.get(key) ?? { ...x, departmentCode: h.departmentCode, codes: [] };
      g.codes.push(h.code);
      groups.set(key, g);
    }
  }
  const revisions: ImportResult['revisions'] = [];
  for (const g of groups.values()) {
    const revised = await dbs[g.system].transaction((m) => recordRevision(m, correction!.auditKey, g.system, {
      month: g.month, departmentCode: g.departmentCode, reason: correction!.reason, by: correction!.by, batch: batchOf(correction!.reason, ...g.codes.sort()),
    }));
    if (revised) revisions.push({ system: g.system, month: g.month, departmentCode: g.departmentCode });
  }
  return { accepted, revisions };
}
