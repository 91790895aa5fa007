import { closeDatabases, openSubgraphDatabases } from '../../subgraphs/databases';
import { seedDemo } from '../../demo/seed';
import { testDatabaseUrls, uniquePrefix } from './databases';

/** One set of databases for the run, migrated and seeded with the demo data; tests only read them. */
export default async function globalSetup(): Promise<void> {
  const prefix = uniquePrefix('demo');
  const urls = testDatabaseUrls(prefix);
  const dbs = await openSubgraphDatabases((name) => urls[name]);
  try {
    await seedDemo(dbs);
  } finally {
    await closeDatabases(dbs);
  }
  process.env.MOTCUA_TEST_DEMO_PREFIX = prefix;
}
