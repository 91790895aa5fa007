import type { DataSource } from 'typeorm';
import { SUBGRAPHS } from '../subgraphs/registry';
import { generateDemo } from './generate';

/** Tables in dependency order for a reset, per subgraph. */
const TABLES: Record<string, string[]> = {
  intake: ['rating', 'dossier', 'procedure', 'department', 'dossier_counter', 'status_change', 'processing'],
  postal: ['shipment_event', 'shipment'],
};

export async function isEmpty(intake: DataSource): Promise<boolean> {
  const [{ n }] = await intake.query('SELECT count(*)::int AS n FROM dossier');
  return n === 0;
}

/**
 * Writes the demo data into every subgraph's own database through that subgraph's own import code.
 * Returns the records stored per subgraph.
 */
export async function seedDemo(
  databases: Record<string, DataSource>,
  options: { reset?: boolean; catalogueOnly?: boolean } = {},
): Promise<Record<string, number>> {
  const generated = generateDemo();
  const data = options.catalogueOnly ? { ...generated, dossiers: [] } : generated;
  const counts: Record<string, number> = {};
  for (const s of SUBGRAPHS) {
    const db = databases[s.name];
    if (!db) throw new Error(`no database given for ${s.name}`);
    if (options.reset) {
      const tables = TABLES[s.name] ?? ['status_change', 'processing'];
      await db.query(`TRUNCATE ${tables.map((t) => `"${t}"`).join(', ')} RESTART IDENTITY CASCADE`);
    }
    counts[s.name] = await (await s.load()).importHistory(db, data);
  }
  return counts;
}
