import { createGateway, GatewayServer } from '../../gateway/gateway';
import { createLogger } from '../../subgraphs/kit/logger';
import { createSubgraphServer, SubgraphServer } from '../../subgraphs/kit/server';
import { SUBGRAPHS } from '../../subgraphs/registry';
import { testDatabaseUrls } from './databases';

export interface RunningSubgraph {
  server: SubgraphServer;
  url: string;
}

export interface TestSystem {
  gatewayUrl: string;
  subgraphs: Record<string, RunningSubgraph>;
  gateway: GatewayServer;
  /** The GraphQL response body, loosely typed for assertions. */
  query(query: string, variables?: Record<string, unknown>): Promise<any>;
  close(): Promise<void>;
}

const silent = () => createLogger('test', 'silent');

/** The demo databases prepared by the global setup. */
export function demoDatabaseUrls(): Record<string, string> {
  const prefix = process.env.MOTCUA_TEST_DEMO_PREFIX;
  if (!prefix) throw new Error('the jest global setup did not run');
  return testDatabaseUrls(prefix);
}

export async function startSubgraph(name: string, databaseUrl: string): Promise<RunningSubgraph> {
  const entry = SUBGRAPHS.find((s) => s.name === name)!;
  const server = await createSubgraphServer(await entry.load(), { databaseUrl, log: silent() });
  const { url } = await server.listen(0);
  return { server, url };
}

/** The five subgraphs and the gateway, over real HTTP on free ports. */
export async function startSystem(urls: Record<string, string> = demoDatabaseUrls()): Promise<TestSystem> {
  const subgraphs: Record<string, RunningSubgraph> = {};
  for (const s of SUBGRAPHS) subgraphs[s.name] = await startSubgraph(s.name, urls[s.name]);
  const gateway = await createGateway({
    subgraphUrls: Object.fromEntries(Object.entries(subgraphs).map(([n, s]) => [n, s.url])),
    log: silent(),
  });
  const { url: gatewayUrl } = await gateway.listen(0);
  return {
    gatewayUrl,
    subgraphs,
    gateway,
    query: (query, variables) => postGraphQL(gatewayUrl, query, variables),
    async close() {
      await gateway.close();
      await Promise.all(Object.values(subgraphs).map((s) => s.server.close()));
    },
  };
}

export async function postGraphQL(url: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return res.json();
}

/** SQL statements each subgraph sends while `run` runs. */
export async function countStatements(system: TestSystem, run: () => Promise<unknown>): Promise<Record<string, number>> {
  Object.values(system.subgraphs).forEach((s) => s.server.statements.reset());
  await run();
  return Object.fromEntries(Object.entries(system.subgraphs).map(([n, s]) => [n, s.server.statements.count]));
}
