import type { DataSource } from 'typeorm';
import { nextDossierCode } from '../subgraphs/intake/dossier-code.allocator';
import type { DossierHistory } from '../subgraphs/kit/history';
import { calendarDays } from '../subgraphs/kit/calendar/calendar.follower';
import { calendar } from '../subgraphs/kit/calendar/working-time';
import { SUBGRAPHS } from '../subgraphs/registry';
import { Catalogue, parseLine, toHistory } from './jsonl';

export interface ImportResult {
  lines: number;
  loaded: number;
  bad: { line: number; reason: string }[];
  /** New records stored, per system. */
  stored: Record<string, number>;
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
export async function importLines(lines: string[], dbs: Record<string, DataSource>): Promise<ImportResult> {
  const intake = dbs.intake;
  const catalogue = await catalogueOf(intake);
  // A line without dueAt is due by the province's calendar (the register's), not by the national one alone.
  calendar.replace(await calendarDays(intake));
  const bad: ImportResult['bad'] = [];
  const histories: DossierHistory[] = [];
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
    histories.push(toHistory(parsed.line, code, catalogue));
  }
  const stored: Record<string, number> = {};
  const batch = { dossiers: histories };
  for (const s of SUBGRAPHS) stored[s.name] = await (await s.load()).importHistory(dbs[s.name], batch);
  return { lines: lines.filter((l) => l.trim()).length, loaded: histories.length, bad, stored };
}
