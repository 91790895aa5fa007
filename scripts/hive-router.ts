import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createHiveRouter } from '../gateway/other-router/hive-router';
import { loadConfig } from '../subgraphs/kit/config';
import { SCHEMA_DIR } from '../subgraphs/kit/paths';
import { join } from 'node:path';

/**
 * node dist/scripts/hive-router.js [--rust] [--port N]: Hive Gateway on the committed supergraph, reaching the
 * subgraphs where the configuration says (<NAME>_URL, <NAME>_SIGNING_SECRET, the token keys), as ours would.
 * Prints `listening <url>` once it accepts requests. Its own process: the Rust planner loads a native module by a
 * dynamic import that Jest's module sandbox cannot run, and a bench pins each router to a core of its own.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const port = args.includes('--port') ? Number(args[args.indexOf('--port') + 1]) : 0;
  const config = loadConfig();
  const server = await createHiveRouter({
    supergraphSdl: readFileSync(join(SCHEMA_DIR, 'supergraph.graphql'), 'utf8'),
    subgraphs: config.subgraphs,
    auth: config.auth,
    rustPlanner: args.includes('--rust'),
  });
  server.listen(port, '127.0.0.1', () => console.log(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`));
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((e) => {
  console.error(`hive-router: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
