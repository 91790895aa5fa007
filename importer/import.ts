import type { DataSource } from 'typeorm';
import { nextDossierCode } from '../subgraphs/intake/dossier-code.allocator';
import type { DossierHistory } from '../subgraphs/kit/history';
import { calendarDays } from '../subgraphs/kit/calendar/calendar.follower';
import { calendar } from '../subgraphs/kit/calendar/working-time';
import { DEPARTMENT_SYSTEMS, SUBGRAPHS } from '../subgraphs/registry';
import { monthOf } from '../subgraphs/kit/periods/period.store';
import { batchOf, recordRevision } from '../subgraphs/kit/periods/period-revision';
import { Catalogue, parseLine, toHistory } from './jsonl';

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
 * Loads dossiers from JSON lines into every system that owns a part of them, through each system's own
 * import code (as the demo seed does). Bad lines are reported and skip; a re-run changes nothing.
 */
export async function importLines(lines: string[], dbs: Record<string, DataSource>, correction?: Correction): Promise<ImportResult> {
  const intake = dbs.intake;
  const catalogue = await catalogueOf(intake);
  // A line without dueAt is due by the province's calendar (the register's), not by the national one alone.
  calendar.replace(await calendarDays(intake));
  const bad: ImportResult['bad'] = [];
  const histories: DossierHistory[] = [];
  const lineOf = new Map<string, number>();
  const seen = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    const parsed = parseLine(lines[i], catalogue);
    if (!parsed.ok) {
      bad.push({ line: i + 1, reason: parsed.reason });
      continue;
    }
    let code = parsed.line.code;
    if (!code) {
      const [known] = await intake.query('SELECT dossier_code FROM imported_line WHERE line_hash = $1', [parsed.hash]);
      code = known?.dossier_code as string | undefined;
      if (!code) {
        const unit = catalogue.departments.get(catalogue.procedures.get(parsed.line.procedureCode)!.departmentCode)!.unitCode;
        code = await intake.transaction(async (m) => {
          const allocated = await nextDossierCode(m, unit, new Date(parsed.line.receivedAt));
          await m.query('INSERT INTO imported_line (line_hash, dossier_code) VALUES ($1, $2)', [parsed.hash, allocated]);
          return allocated;
        });
      }
    }
    if (seen.has(code)) {
      bad.push({ line: i + 1, reason: `code: ${code} appears twice in the file` });
      continue;
    }
    seen.add(code);
    lineOf.set(code, i + 1);
    histories.push(toHistory(parsed.line, code, catalogue));
  }
  const { accepted, revisions } = await intoClosedMonths(histories, dbs, bad, lineOf, correction);
  const stored: Record<string, number> = {};
  const batch = { dossiers: accepted };
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
