import 'reflect-metadata';
import { loadConfig, requireDatabaseUrl } from '../subgraphs/kit/config';
import { closeDatabases, openSubgraphDatabases } from '../subgraphs/databases';
import { isEmpty, seedDemo } from '../demo/seed';
import { seedScale } from '../demo/scale';

/** npm run seed [-- --reset]: the March–April 2020 demo data into each subgraph's database. */
async function main(): Promise<void> {
  const reset = process.argv.includes('--reset');
  const at = process.argv.indexOf('--dossiers');
  const scale = at >= 0 ? Number(process.argv[at + 1]) : 0;
  if (at >= 0 && !(Number.isInteger(scale) && scale > 0 && scale <= 50_000_000)) throw new Error('--dossiers takes a number up to 50,000,000');
  const config = loadConfig();
  const dbs = await openSubgraphDatabases((name) => requireDatabaseUrl(config, name));
  try {
    if (!reset && !(await isEmpty(dbs.intake))) {
      console.log('the databases already hold dossiers: nothing seeded (use --reset to replace them)');
      return;
    }
    if (scale) {
      await seedDemo(dbs, { reset, catalogueOnly: true });
      const started = Date.now();
      await seedScale(dbs, scale, (line) => process.stdout.write(`\r${line}`));
      console.log(`\n${scale} dossiers in ${((Date.now() - started) / 1000).toFixed(1)} s`);
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
