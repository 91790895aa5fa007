import 'reflect-metadata';
import { checkpointHolder, verifySystems } from '../subgraphs/kit/audit/audit-checkpoint';
import { loadConfig, requireAuditKey, requireDatabaseUrl } from '../subgraphs/kit/config';
import { closeDatabases, openSubgraphDatabases } from '../subgraphs/databases';

/**
 * npm run audit:verify — checks every subgraph's audit chain (hashes, links, macs under AUDIT_KEY) against its newest
 * checkpoint in another system's database; exits 1 when one is broken, naming the system and the record.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const dbs = await openSubgraphDatabases((name) => requireDatabaseUrl(config, name));
  let broken = 0;
  try {
    for (const check of await verifySystems(dbs, requireAuditKey(config))) {
      const anchored = check.checkpoint
        ? `checkpoint in ${checkpointHolder(check.system)}: ${check.checkpoint.count} records to record ${check.checkpoint.recordId}`
        : 'no checkpoint yet';
      if (check.brokenAt) {
        broken++;
        console.log(`${check.system.padEnd(15)} BROKEN at record ${check.brokenAt}: ${check.reason} (${anchored})`);
      } else {
        const unkeyed = check.unkeyed ? `, ${check.unkeyed} from before the chain was keyed` : '';
        console.log(`${check.system.padEnd(15)} ok, ${check.rows} records${unkeyed} (${anchored})`);
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
