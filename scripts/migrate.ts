import 'reflect-metadata';
import { loadConfig, requireDatabaseUrl } from '../subgraphs/kit/config';
import { createDataSource, migrate, openDatabase } from '../subgraphs/kit/data-source';
import { databaseOf } from '../subgraphs/kit/subgraph';
import { subgraph, SUBGRAPHS } from '../subgraphs/registry';

/**
 * npm run migrate [-- <subgraph>...]: applies the pending migrations of every subgraph's database (or of those
 * named), each through its own URL and role. Under the migration lock: a second run at the same time (another
 * replica's job) waits, then finds nothing to do.
 */
async function main(): Promise<void> {
  const entries = process.argv.length > 2 ? process.argv.slice(2).map(subgraph) : [...SUBGRAPHS];
  const config = loadConfig();
  const urls = entries.map((e) => requireDatabaseUrl(config, e.name));
  const results = await Promise.allSettled(
    entries.map(async (entry, i) => {
      const ds = createDataSource({ url: urls[i], ...databaseOf(await entry.load()) });
      await openDatabase(ds, urls[i], { migrate: false });
      try {
        const applied = await migrate(ds);
        console.log(`${entry.name}: ${applied ? `${applied} migration${applied > 1 ? 's' : ''} applied` : 'up to date'}`);
      } finally {
        await ds.destroy();
      }
    }),
  );
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${entries[i].name}: ${(r.reason as Error).message}`] : []));
  if (failed.length) throw new Error(failed.join('; '));
}

main().catch((e) => {
  console.error(`migrate: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
