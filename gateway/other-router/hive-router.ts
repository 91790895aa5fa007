import { createServer, Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AuthConfig, SubgraphConfig } from '../../subgraphs/kit/config';
import { signRequest } from '../../subgraphs/kit/signing';
import { SUBGRAPHS } from '../../subgraphs/registry';
import { createAuthenticator } from '../auth';
import { HIVE_GATEWAY_OPTIONS } from './hive-options';

export interface HiveRouterOptions {
  supergraphSdl: string;
  subgraphs: Record<string, Pick<SubgraphConfig, 'url' | 'signingSecret'>>;
  auth: AuthConfig;
  /** Hive's Rust query planner (@graphql-hive/router-runtime) instead of its JavaScript one. */
  rustPlanner?: boolean;
}

/**
 * Hive Gateway serving our supergraph as a province would run it instead of ours: the same token check, each
 * subgraph call signed for its subgraph, HIVE_GATEWAY_OPTIONS. For the other-router tests and the gateway bench;
 * its packages are development dependencies, loaded only here. Builds the server, does not listen.
 */
export async function createHiveRouter(o: HiveRouterOptions): Promise<Server> {
  const { createGatewayRuntime } = await import('@graphql-hive/gateway-runtime');
  const planner = o.rustPlanner ? { unifiedGraphHandler: (await import('@graphql-hive/router-runtime')).unifiedGraphHandler } : {};
  const authenticate = await createAuthenticator(o.auth);
  // The supergraph names each subgraph's standard port; the configured URL may be elsewhere.
  const target = new Map(SUBGRAPHS.map((s) => [`http://127.0.0.1:${s.port}/graphql`, { name: s.name, ...o.subgraphs[s.name] }]));
  const runtime = createGatewayRuntime({
    ...HIVE_GATEWAY_OPTIONS,
    ...planner,
    supergraph: o.supergraphSdl,
    logging: false,
    plugins: () => [
      {
        async onFetch({ url, options, setURL, setOptions, context }) {
          const to = target.get(url);
          if (!to) throw new Error(`unexpected subgraph URL ${url}`);
          const request = (context as { request: Request }).request;
          const identity = await authenticate(request.headers.get('authorization') ?? undefined);
          const signed = signRequest(to.signingSecret, {
            method: 'POST',
            path: new URL(to.url).pathname,
            body: String(options.body),
            identity,
            requestId: randomUUID(),
          });
          setURL(to.url);
          setOptions({ ...options, headers: { ...(options.headers as Record<string, string>), ...signed } });
        },
      },
    ],
  });
  return createServer(runtime);
}
