import type { DataSource, EntityManager } from 'typeorm';
import { Department } from '../entities/department.entity';
import { Procedure } from '../entities/procedure.entity';
import { applyCalendarChange } from '../../kit/calendar/calendar.store';
// The register's reporter of moved due dates, which a calendar change needs, wherever this runs (seed, command).
import '../calendar';
import { CatalogueFile, catalogueProblems, KnownCatalogue } from './catalogue.file';

/** Taken by every catalogue change until its transaction ends: checks and writes see one catalogue. */
export const CATALOGUE_LOCK = 727_013;

export interface Tally {
  added: string[];
  updated: string[];
  unchanged: number;
}

export type CatalogueOutcome =
  | { ok: false; problems: string[] }
  | { ok: true; departments: Tally; procedures: Tally; calendar: { added: number; recomputed: number } };

export async function knownCatalogue(m: EntityManager): Promise<KnownCatalogue> {
  const rows: { code: string; unit_code: string; system: string | null; used: boolean }[] = await m.query(
    `SELECT d.code, d.unit_code, d.system, EXISTS (SELECT 1 FROM dossier x WHERE x.department_code = d.code) AS used FROM department d`);
  return { departments: new Map(rows.map((r) => [r.code, { unitCode: r.unit_code, system: r.system, used: r.used }])) };
}

/** Inserts the new entries and updates the changed ones (by code); leaves the same ones untouched. */
async function upsert<T extends { code: string }>(
  m: EntityManager,
  entity: Function,
  entries: T[],
  same: (entry: T, row: any) => boolean,
  row: (entry: T) => object,
): Promise<Tally> {
  const tally: Tally = { added: [], updated: [], unchanged: 0 };
  if (!entries.length) return tally;
  const repo = m.getRepository(entity);
  const existing = new Map((await repo.createQueryBuilder('e').whereInIds(entries.map((e) => e.code)).getMany()).map((r: any) => [r.code, r]));
  for (const e of entries) {
    const before = existing.get(e.code);
    if (!before) {
      await repo.insert(row(e));
      tally.added.push(e.code);
    } else if (!same(e, before)) {
      await repo.update({ code: e.code }, row(e));
      tally.updated.push(e.code);
    } else tally.unchanged++;
  }
  return tally;
}

/**
 * Checks the whole file against itself and the catalogue, then writes all of it or nothing, in m's transaction.
 * Retirement is the graph's to decide: a retired procedure in the file is updated and stays retired.
 */
export async function applyCatalogue(m: EntityManager, file: unknown, reason: string): Promise<CatalogueOutcome> {
  await m.query('SELECT pg_advisory_xact_lock($1)', [CATALOGUE_LOCK]);
  const problems = catalogueProblems(file, await knownCatalogue(m));
  if (problems.length) return { ok: false, problems };
  const f = file as CatalogueFile;
  const departments = await upsert(m, Department, f.departments,
    (e, r: Department) => e.name === r.name && e.unitCode === r.unitCode && e.system === r.system,
    (e) => ({ code: e.code, name: e.name, unitCode: e.unitCode, system: e.system }));
  const procedures = await upsert(m, Procedure, f.procedures,
    (e, r: Procedure) => e.name === r.name && e.departmentCode === r.departmentCode && e.workingDays === r.workingDays && e.fee === r.fee,
    (e) => ({ code: e.code, name: e.name, workingDays: e.workingDays, fee: e.fee, department: { code: e.departmentCode } as Department }));
  const calendar = f.calendar
    ? await applyCalendarChange(m, { holidays: f.calendar.holidays, workingDays: f.calendar.workingDays ?? [] }, reason)
    : { added: 0, recomputed: 0 };
  return { ok: true, departments, procedures, calendar };
}

/** A catalogue file into the centre's database, in one transaction: refused whole when any entry is bad. */
export async function importCatalogue(db: DataSource, file: unknown): Promise<CatalogueOutcome> {
  let outcome: CatalogueOutcome | undefined;
  await db
    .transaction(async (m) => {
      outcome = await applyCatalogue(m, file, 'catalogue import');
      if (!outcome.ok) throw REFUSED;
    })
    .catch((e) => {
      if (e !== REFUSED) throw e;
    });
  return outcome!;
}

const REFUSED = Symbol('refused');

/** What an import did, a line per list, for the command's output. */
export function describeOutcome(o: Extract<CatalogueOutcome, { ok: true }>): string[] {
  const line = (what: string, t: Tally) =>
    `${what}: ${t.added.length} added${t.added.length ? ` (${t.added.join(', ')})` : ''}, ${t.updated.length} updated${t.updated.length ? ` (${t.updated.join(', ')})` : ''}, ${t.unchanged} unchanged`;
  return [
    line('departments', o.departments),
    line('procedures', o.procedures),
    `calendar: ${o.calendar.added} days added, ${o.calendar.recomputed} open dossiers' due dates recomputed`,
  ];
}
