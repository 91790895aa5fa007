import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import { describeOutcome, importCatalogue } from '../subgraphs/intake/catalogue/catalogue.import';
import { loadConfig, requireDatabaseUrl } from '../subgraphs/kit/config';
import { closeDatabases, openSubgraphDatabases } from '../subgraphs/databases';

/** npm run catalogue:import -- FILE.json: departments, procedures and the calendar, into a stopped or running system. */
async function main(): Promise<void> {
  const path = process.argv[2];
  if (!path) throw new Error('usage: npm run catalogue:import -- FILE.json');
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new Error(`cannot read ${path} (${e.code ?? e.message})`);
  });
  let file: unknown;
  try {
    file = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path} is not JSON: ${e instanceof Error ? e.message : e}`);
  }
  const config = loadConfig();
  const dbs = await openSubgraphDatabases((name) => requireDatabaseUrl(config, name));
  try {
    const outcome = await importCatalogue(dbs.intake, file);
    if (!outcome.ok) {
      for (const p of outcome.problems) console.log(p);
      console.log(`${path} refused: ${outcome.problems.length} problems; nothing was changed`);
      process.exitCode = 1;
      return;
    }
    for (const line of describeOutcome(outcome)) console.log(line);
  } finally {
    await closeDatabases(dbs);
  }
}

main().catch((e) => {
  console.error(`catalogue:import: ${e instanceof Error ? e.message : e}`);
  process.exit(2);
});
