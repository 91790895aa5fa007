import 'reflect-metadata';
import { checkpointHolder, enqueueCheckpoint } from '../subgraphs/kit/audit/audit-checkpoint';
import { loadConfig, peersOf, requireDatabaseUrl } from '../subgraphs/kit/config';
import { createLogger } from '../subgraphs/kit/logger';
import { noteEnqueued, OutboxDispatcher } from '../subgraphs/kit/messaging/outbox';
import { closeDatabases, openSubgraphDatabases } from '../subgraphs/databases';

/**
 * npm run audit:checkpoint — hands each subgraph's audit chain head to its holder now, through its outbox: delivered
 * here if the holder answers within 10 s, else by the subgraph's running outbox when it can.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('audit-checkpoint', config.logLevel);
  const dbs = await openSubgraphDatabases((name) => requireDatabaseUrl(config, name));
  try {
    for (const [system, db] of Object.entries(dbs)) {
      const ids: string[] = [];
      const head = await noteEnqueued(ids, () => enqueueCheckpoint(db, system));
      if (!head) {
        console.log(`${system.padEnd(15)} nothing to checkpoint`);
        continue;
      }
      const outbox = new OutboxDispatcher(system, db, peersOf(config), log, config.handover);
      await outbox.deliverSoon(ids, 10_000);
      await outbox.stop();
      const [row] = await db.query(`SELECT delivered_at IS NOT NULL AS delivered FROM outbox_message WHERE message_id = $1`, [ids[0]]);
      const where = row?.delivered ? 'delivered to' : 'pending for';
      console.log(`${system.padEnd(15)} ${head.count} records to record ${head.recordId}: ${where} ${checkpointHolder(system)}`);
    }
  } finally {
    await closeDatabases(dbs);
  }
}

main().catch((e) => {
  console.error(`audit:checkpoint: ${e instanceof Error ? e.message : e}`);
  process.exit(2);
});
