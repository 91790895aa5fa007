import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import { importLines } from '../importer/import';
import { loadConfig, requireDatabaseUrl } from '../subgraphs/kit/config';
import { closeDatabases, openSubgraphDatabases } from '../subgraphs/databases';

/** npm run import -- FILE.jsonl */
async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: npm run import -- FILE.jsonl');
  const lines = (await readFile(file, 'utf8')).split(/\r?\n/);
  const config = loadConfig();
  const dbs = await openSubgraphDatabases((name) => requireDatabaseUrl(config, name));
  try {
    const result = await importLines(lines, dbs);
    for (const b of result.bad) console.log(`line ${b.line}: ${b.reason}`);
    console.log(`${result.loaded} of ${result.lines} lines loaded; ${result.bad.length} refused`);
    for (const [name, n] of Object.entries(result.stored)) console.log(`${name.padEnd(15)} ${n} new records`);
    process.exitCode = result.bad.length ? 1 : 0;
  } finally {
    await closeDatabases(dbs);
  }
}

main().catch((e) => {
  console.error(`import: ${e instanceof Error ? e.message : e}`);
  process.exit(2);
});
