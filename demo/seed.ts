import type { DataSource } from 'typeorm';
import { SUBGRAPHS } from '../subgraphs/registry';
import { importCatalogue } from '../subgraphs/intake/catalogue/catalogue.import';
import { demoCatalogueFile } from './catalogue';
import { generateDemo } from './generate';

/** What a reset keeps: the migrations' own bookkeeping. */
const KEPT = ['migrations', 'typeorm_metadata'];

/**
 * Empties everything a system wrote, in every system at once: records, rollups (TRUNCATE fires no row trigger, so
 * they are emptied with the rows), events, outbox and inbox, idempotency keys, audit chains with the checkpoints
 * other systems hold of them and the shipment watermark (a fresh genesis everywhere), and every sequence.
 */
async function reset(db: DataSource): Promise<void> {
  const tables: { name: string }[] = await db.query(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> ALL($1)`, [KEPT]);
  if (tables.length) await db.query(`TRUNCATE ${tables.map((t) => `"${t.name}"`).join(', ')} RESTART IDENTITY CASCADE`);
  const sequences: { name: string }[] = await db.query(`SELECT sequencename AS name FROM pg_sequences WHERE schemaname = current_schema()`);
  for (const s of sequences) await db.query(`ALTER SEQUENCE "${s.name}" RESTART`);
  // The one-row watermark its migration created.
  if (tables.some((t) => t.name === 'access_shipment')) await db.query(`INSERT INTO access_shipment DEFAULT VALUES`);
}

export async function isEmpty(intake: DataSource): Promise<boolean> {
  const [{ n }] = await intake.query('SELECT count(*)::int AS n FROM dossier');
  return n === 0;
}

/**
 * Writes the demo data into every subgraph's own database: the catalogue through the catalogue importer, as a
 * province loads its own, then the histories through each subgraph's own import code.
 * Returns the records stored per subgraph.
 */
export async function seedDemo(
  databases: Record<string, DataSource>,
  options: { reset?: boolean; catalogueOnly?: boolean } = {},
): Promise<Record<string, number>> {
  const generated = generateDemo();
  const data = { dossiers: options.catalogueOnly ? [] : generated.dossiers };
  const counts: Record<string, number> = {};
  for (const s of SUBGRAPHS) if (!databases[s.name]) throw new Error(`no database given for ${s.name}`);
  if (options.reset) for (const s of SUBGRAPHS) await reset(databases[s.name]);
  const catalogue = await importCatalogue(databases.intake, demoCatalogueFile());
  if (!catalogue.ok) throw new Error(`the demo catalogue is refused: ${catalogue.problems.join('; ')}`);
  for (const s of SUBGRAPHS) {
    const db = databases[s.name];
    counts[s.name] = await (await s.load()).importHistory(db, data);
  }
  return counts;
}
