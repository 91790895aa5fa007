import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import { importLines } from '../importer/import';
import { userInfo } from 'node:os';
import { loadConfig, requireAuditKey, requireDatabaseUrl } from '../subgraphs/kit/config';
import { closeDatabases, openSubgraphDatabases } from '../subgraphs/databases';

const USAGE = 'usage: npm run import -- FILE.jsonl [--correction "reason"]';

/** npm run import -- FILE.jsonl [--correction "reason"] (the reason is required to import into a closed month). */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--correction');
  const reason = at >= 0 ? args.splice(at, 2)[1]?.trim() : undefined;
  const file = args[0];
  if (!file || args.length > 1) throw new Error(USAGE);
  if (at >= 0 && (!reason || reason.length > 500)) throw new Error('--correction needs its reason: 1 to 500 characters');
  const lines = (await readFile(file, 'utf8')).split(/\r?\n/);
  const config = loadConfig();
  const correction = reason ? { reason, by: `operator:${userInfo().username}`.slice(0, 120), auditKey: requireAuditKey(config) } : undefined;
  const dbs = await openSubgraphDatabases((name) => requireDatabaseUrl(config, name));
  try {
    const result = await importLines(lines, dbs, correction);
    for (const b of result.bad) console.log(`line ${b.line}: ${b.reason}`);
    for (const r of result.revisions) console.log(`revision: ${r.system} ${r.month} ${r.departmentCode}`);
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
