import { randomUUID } from 'node:crypto';
import { devHandoverPrivateKey, devHandoverPublicKey } from '../../subgraphs/kit/messaging/handover.keys';
import { developmentToken } from '../../gateway/auth';
import { createGateway, GatewayOptions, GatewayServer } from '../../gateway/gateway';
import { devSigningSecret, loadConfig } from '../../subgraphs/kit/config';
import type { Peers } from '../../subgraphs/kit/messaging/outbox';
import type { Identity } from '../../subgraphs/kit/identity';
import { signRequest } from '../../subgraphs/kit/signing';
import { createLogger } from '../../subgraphs/kit/logger';
import { createSubgraphServer, SubgraphServer } from '../../subgraphs/kit/server';
import { SUBGRAPHS } from '../../subgraphs/registry';
import type { SubgraphClientTls, SubgraphServerTls } from '../../subgraphs/kit/tls/tls.config';
import { tlsAgent } from '../../subgraphs/kit/tls/tls.agent';
import { seedDemo } from '../../demo/seed';
import { closeDatabases, openSubgraphDatabases } from '../../subgraphs/databases';
import { dropDatabases, testDatabaseUrls, uniquePrefix } from './databases';

export interface RunningSubgraph {
  server: SubgraphServer;
  url: string;
}

export interface TestSystem {
  gatewayUrl: string;
  peers: ReturnType<typeof testPeers>;
  urls: Record<string, string>;
  subgraphs: Record<string, RunningSubgraph>;
  gateway: GatewayServer;
  /** The GraphQL response body, loosely typed for assertions. */
  query(query: string, variables?: Record<string, unknown>, as?: Identity | null): Promise<any>;
  close(): Promise<void>;
}

const silent = () => createLogger('test', 'silent');

/** The demo databases prepared by the global setup. */
export function demoDatabaseUrls(): Record<string, string> {
  const prefix = process.env.MOTCUA_TEST_DEMO_PREFIX;
  if (!prefix) throw new Error('the jest global setup did not run');
  return testDatabaseUrls(prefix);
}

/** Where the test subgraphs listen, for hand-overs between them; filled as they start. */
export function testPeers(tls: Record<string, SubgraphClientTls> = {}): Peers & { urls: Record<string, string> } {
  const urls: Record<string, string> = {};
  const agents = Object.fromEntries(Object.entries(tls).map(([name, t]) => [name, tlsAgent(t)]));
  return { urls, baseUrl: (name) => urls[name], privateKey: devHandoverPrivateKey, dispatcher: (name) => agents[name] };
}

export async function startSubgraph(
  name: string,
  databaseUrl: string,
  log = silent(),
  peers = testPeers(),
  port = 0,
  tls?: SubgraphServerTls,
): Promise<RunningSubgraph> {
  const entry = SUBGRAPHS.find((s) => s.name === name)!;
  const server = await createSubgraphServer(await entry.load(), {
    databaseUrl,
    signingSecret: devSigningSecret(name),
    handoverPublicKeyOf: devHandoverPublicKey,
    peers,
    log,
    tls,
  });
  const { url } = await server.listen(port);
  peers.urls[name] = url.replace(/\/graphql$/, '');
  server.outbox.start();
  return { server, url };
}

/**
 * Another replica of a running system's subgraph, over the same database, with options of its own (a timer's short
 * period): its outbox started, not listening.
 */
export async function extraReplica(
  system: TestSystem,
  name: string,
  options: Pick<Parameters<typeof createSubgraphServer>[1], 'auditCheckpointMs' | 'accessShippingMs' | 'calendarReloadMs'>,
): Promise<SubgraphServer> {
  const replica = await createSubgraphServer(await SUBGRAPHS.find((s) => s.name === name)!.load(), {
    databaseUrl: system.urls[name],
    signingSecret: devSigningSecret(name),
    handoverPublicKeyOf: devHandoverPublicKey,
    peers: system.peers,
    log: silent(),
    ...options,
  });
  replica.outbox.start();
  return replica;
}

/** The five subgraphs and the gateway, over real HTTP on free ports. */
export async function startSystem(
  urls: Record<string, string> = demoDatabaseUrls(),
  options: {
    log?: ReturnType<typeof createLogger>;
    production?: boolean;
    /** 0, a free port, unless a test needs to know the gateway's address before it starts (a sign-in provider's redirect). */
    gatewayPort?: number;
    gateway?: Partial<Pick<GatewayOptions, 'corsOrigins' | 'rateLimits' | 'trustedDocuments' | 'dashboard' | 'auth' | 'subgraphTls'>>;
    /** The subgraphs serving HTTPS that requires a client certificate, by name; the others plain http. */
    serverTls?: Record<string, SubgraphServerTls>;
    /** The certificates the subgraphs' hand-overs present to those, by name. */
    peerTls?: Record<string, SubgraphClientTls>;
  } = {},
): Promise<TestSystem> {
  const subgraphs: Record<string, RunningSubgraph> = {};
  const peers = testPeers(options.peerTls);
  for (const s of SUBGRAPHS) subgraphs[s.name] = await startSubgraph(s.name, urls[s.name], options.log ?? silent(), peers, 0, options.serverTls?.[s.name]);
  const gateway = await createGateway({
    subgraphUrls: Object.fromEntries(Object.entries(subgraphs).map(([n, s]) => [n, s.url])),
    signingSecrets: Object.fromEntries(SUBGRAPHS.map((s) => [s.name, devSigningSecret(s.name)])),
    auth: loadConfig({}).auth,
    production: options.production,
    log: options.log ?? silent(),
    ...options.gateway,
  });
  const { url: gatewayUrl } = await gateway.listen(options.gatewayPort ?? 0);
  return {
    gatewayUrl,
    peers,
    urls,
    subgraphs,
    gateway,
    query: async (query, variables, as: Identity | null = STAFF) =>
      postGraphQL(gatewayUrl, query, variables, as ? await tokenFor(as) : undefined),
    async close() {
      await gateway.close();
      await Promise.all(Object.values(subgraphs).map((s) => s.server.close()));
    },
  };
}

export async function postGraphQL(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  token?: string,
  headers: Record<string, string> = {},
): Promise<any> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return res.json();
}

export const STAFF: Identity = { subject: 'staff-1', role: 'CENTRE_STAFF' };

/** Until no outbox holds anything: three rounds, as a delivery can enqueue the receiver's answer. */
export async function settle(system: TestSystem): Promise<void> {
  for (let i = 0; i < 3; i++) {
    for (const s of Object.values(system.subgraphs)) expect(await s.server.outbox.idle()).toBe(true);
  }
}

/** The data of an operation that must answer without errors. */
export async function answered(system: TestSystem, query: string, variables: Record<string, unknown>, as: Identity): Promise<any> {
  const res = await system.query(query, variables, as);
  expect(res.errors).toBeUndefined();
  return res.data;
}

export function tokenFor(identity: Identity): Promise<string> {
  return developmentToken(loadConfig({}).auth, identity);
}

/** A call straight to a subgraph, signed as the gateway would sign it. */
export async function signedCall(
  sub: RunningSubgraph,
  name: string,
  query: string,
  variables: Record<string, unknown> = {},
  identity: Identity = STAFF,
): Promise<any> {
  const body = JSON.stringify({ query, variables });
  const headers = signRequest(devSigningSecret(name), { method: 'POST', path: '/graphql', body, identity, requestId: randomUUID() });
  const res = await fetch(sub.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return res.json();
}

/** SQL statements each subgraph sends while `run` runs. */
export async function countStatements(system: TestSystem, run: () => Promise<unknown>): Promise<Record<string, number>> {
  Object.values(system.subgraphs).forEach((s) => s.server.statements.reset());
  await run();
  return Object.fromEntries(Object.entries(system.subgraphs).map(([n, s]) => [n, s.server.statements.count]));
}

/** A system on its own freshly seeded databases, for tests that change or break them. */
export async function startPrivateSystem(label: string, options: Parameters<typeof startSystem>[1] & { catalogueOnly?: boolean } = {}) {
  const prefix = uniquePrefix(label);
  const urls = testDatabaseUrls(prefix);
  const dbs = await openSubgraphDatabases((name) => urls[name]);
  try {
    await seedDemo(dbs, { catalogueOnly: options.catalogueOnly });
  } finally {
    await closeDatabases(dbs);
  }
  const system = await startSystem(urls, options);
  return {
    system,
    async close() {
      try {
        await system.close();
      } finally {
        await dropDatabases(prefix);
      }
    },
  };
}

/** A logger whose lines are kept, to assert what reaches the logs. */
export function capturingLogger(): { log: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  return { log: createLogger('captured', 'debug', { write: (line: string) => void lines.push(line) }), lines };
}
