import 'reflect-metadata';
import { ConfigError, loadConfig, requireAuditKey, requireDatabaseUrl } from '../subgraphs/kit/config';
import { closeDatabases, openSubgraphDatabases } from '../subgraphs/databases';
import { MoveRefused, moveDepartment } from './department/department.move';

/**
 * npm run department:move -- --department CODE --to NAME [--batch N]: moves a department from the one-stop system
 * to its own system (NAME in subgraphs/registry.ts, deployed and composed in), its history with it, while
 * everything runs. Run it again to resume an interrupted move, or to reconcile a finished one.
 */
function arg(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

async function main(): Promise<void> {
  const departmentCode = arg('department');
  const to = arg('to');
  const batchSize = Number(arg('batch') ?? 1000);
  if (!departmentCode || !to) throw new MoveRefused('usage: department:move -- --department CODE --to NAME [--batch N]');
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 50_000) throw new MoveRefused('--batch takes a number from 1 to 50000');
  const config = loadConfig();
  const auditKey = requireAuditKey(config);
  const dbs = await openSubgraphDatabases((name) => requireDatabaseUrl(config, name));
  try {
    await moveDepartment(dbs, { departmentCode, to, batchSize, auditKey, log: (line) => console.log(line) });
  } finally {
    await closeDatabases(dbs);
  }
}

main().catch((e) => {
  // A refusal says what to do; anything else is the database's message (never its SQL or the rows' data).
  console.error(`department:move: ${e instanceof MoveRefused || e instanceof ConfigError ? '' : 'failed, nothing switched: '}${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
