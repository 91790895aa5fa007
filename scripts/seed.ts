import 'reflect-metadata';
import { loadConfig, requireDatabaseUrl } from '../subgraphs/kit/config';
import { closeDatabases, openSubgraphDatabases } from '../subgraphs/databases';
import { isEmpty, seedDemo } from '../demo/seed';

/** npm run seed [-- --reset]: the March–April 2020 demo data into each subgraph's database. */
async function main(): Promise<void> {
  const reset = process.argv.includes('--reset');
  const config = loadConfig();
  const dbs = await openSubgraphDatabases((name) => requireDatabaseUrl(config, name));
  try {
    if (!reset && !(await isEmpty(dbs.intake))) {
      console.log('the databases already hold dossiers: nothing seeded (use --reset to replace them)');
      return;
    }
    const counts = await seedDemo(dbs, { reset });
    for (const [name, n] of Object.entries(counts)) console.log(`${name.padEnd(15)} ${n} records`);
  } finally {
    await closeDatabases(dbs);
  }
}

main().catch((e) => {
  console.error(`seed: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
