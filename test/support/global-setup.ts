import { createDataSource, openDatabase } from '../../subgraphs/kit/data-source';
import { SUBGRAPHS } from '../../subgraphs/registry';
import { seedDemo } from '../../demo/seed';
import { testDatabaseUrls, uniquePrefix } from './databases';

/** One set of databases for the run, migrated and seeded with the demo data; tests only read them. */
export default async function globalSetup(): Promise<void> {
  const prefix = uniquePrefix('demo');
  const urls = testDatabaseUrls(prefix);
  const dbs: Record<string, Awaited<ReturnType<typeof openDatabase>>> = {};
  try {
    for (const s of SUBGRAPHS) {
      const m = await s.load();
      dbs[s.name] = await openDatabase(createDataSource({ url: urls[s.name], entities: m.entities, migrations: m.migrations }), urls[s.name]);
    }
    await seedDemo(dbs);
  } finally {
    await Promise.all(Object.values(dbs).map((d) => d.destroy()));
  }
  process.env.MOTCUA_TEST_DEMO_PREFIX = prefix;
}
