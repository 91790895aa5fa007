import 'reflect-metadata';
import { loadConfig, requireDatabaseUrl } from '../subgraphs/kit/config';
import { rebuildRollups, verifyRollups } from '../subgraphs/kit/report/rollups';
import { closeDatabases, openSubgraphDatabases } from '../subgraphs/databases';

/**
 * npm run rollups:verify — recounts every system's figures from its own rows and compares them with its rollups,
 * one line per difference (system, rollup, department, day, column, rollup vs recount); exits 1 on any.
 * npm run rollups:rebuild — rebuilds every system's rollups from its rows, each in a transaction, while it runs.
 */
async function main(command: string | undefined): Promise<void> {
  if (command !== 'verify' && command !== 'rebuild') throw new Error('say verify or rebuild');
  const config = loadConfig();
  const dbs = await openSubgraphDatabases((name) => requireDatabaseUrl(config, name));
  let mismatches = 0;
  try {
    for (const [system, db] of Object.entries(dbs)) {
      if (command === 'rebuild') {
        await rebuildRollups(db);
        console.log(`${system.padEnd(15)} rebuilt`);
        continue;
      }
      const found = await verifyRollups(system, db);
      mismatches += found.length;
      for (const f of found) {
        console.log(`${f.system} ${f.table} ${f.departmentCode} ${f.day} ${f.column}: rollup ${f.rollup}, recount ${f.recount}`);
      }
      if (!found.length) console.log(`${system.padEnd(15)} ok`);
    }
  } finally {
    await closeDatabases(dbs);
  }
  process.exitCode = mismatches ? 1 : 0;
}

main(process.argv[2]).catch((e) => {
  console.error(`rollups: ${e instanceof Error ? e.message : e}`);
  process.exit(2);
});
