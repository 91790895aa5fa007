import 'reflect-metadata';
import { verifyAuditChain } from '../subgraphs/kit/audit/audit-log';
import { loadConfig, requireDatabaseUrl } from '../subgraphs/kit/config';
import { closeDatabases, openSubgraphDatabases } from '../subgraphs/databases';

/** npm run audit:verify — recomputes every subgraph's audit chain; exits 1 when one is broken. */
async function main(): Promise<void> {
  const config = loadConfig();
  const dbs = await openSubgraphDatabases((name) => requireDatabaseUrl(config, name));
  let broken = 0;
  try {
    for (const [name, db] of Object.entries(dbs)) {
      const check = await verifyAuditChain(db);
      if (check.brokenAt) {
        broken++;
        console.log(`${name.padEnd(15)} BROKEN at row ${check.brokenAt}: ${check.reason}`);
      } else {
        console.log(`${name.padEnd(15)} ok, ${check.rows} records`);
      }
    }
  } finally {
    await closeDatabases(dbs);
  }
  process.exitCode = broken ? 1 : 0;
}

main().catch((e) => {
  console.error(`audit:verify: ${e instanceof Error ? e.message : e}`);
  process.exit(2);
});
