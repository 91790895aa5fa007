import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStandaloneServer } from '@apollo/server/standalone';
import { createApolloGateway } from '../gateway/other-router/apollo-gateway';
import { loadConfig } from '../subgraphs/kit/config';
import { SCHEMA_DIR } from '../subgraphs/kit/paths';

/**
 * node dist/scripts/apollo-gateway.js [--port N]: stock @apollo/gateway on the committed supergraph, served by
 * @apollo/server's own standalone HTTP server, reaching the subgraphs where the configuration says, as ours would.
 * Prints `listening <url>` once it accepts requests. Its own process, so that a bench can pin it to a core.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const port = args.includes('--port') ? Number(args[args.indexOf('--port') + 1]) : 0;
  const config = loadConfig();
  const { server, context } = await createApolloGateway({
    supergraphSdl: readFileSync(join(SCHEMA_DIR, 'supergraph.graphql'), 'utf8'),
    subgraphs: config.subgraphs,
    auth: config.auth,
  });
  const { url } = await startStandaloneServer(server, { context, listen: { port, host: '127.0.0.1' } });
  // Apollo Server stops itself on SIGTERM and SIGINT (stopOnTerminationSignals, on outside tests).
  console.log(`listening ${url}graphql`);
}

main().catch((e) => {
  console.error(`apollo-gateway: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
