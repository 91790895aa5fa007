import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGateway, GatewayServer } from '../../gateway/gateway';
import { devSigningSecret, loadConfig } from '../../subgraphs/kit/config';
import type { Identity } from '../../subgraphs/kit/identity';
import { createLogger } from '../../subgraphs/kit/logger';
import { SUBGRAPHS } from '../../subgraphs/registry';
import { postGraphQL, STAFF, startSystem, TestSystem, tokenFor } from '../support/system';

interface Held {
  identity: string;
  release(): void;
}

/** In front of intake: holds every GraphQL call until released, so that calls are in flight at once by construction. */
function holdingProxy(target: string): Promise<{ server: Server; url: string; held: Held[] }> {
  const held: Held[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length')) as Record<string, string>;
      const pass = () =>
        fetch(new URL(req.url ?? '/', target), { method: req.method, headers, body: req.method === 'POST' ? Buffer.concat(chunks) : undefined }).then(async (answer) => {
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
          res.end(Buffer.from(await answer.arrayBuffer()));
        }, () => res.destroy());
      // The gateway's readiness probes pass at once.
      if (req.method !== 'POST') return void pass();
      held.push({
        identity: String(req.headers['x-motcua-identity']),
        release: () => void pass(),
      });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, held })));
}

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setImmediate(resolve));
}

describe('in-flight deduplication of subgraph queries', () => {
  let system: TestSystem;
  let proxy: Awaited<ReturnType<typeof holdingProxy>>;
  let gateway: GatewayServer;
  let url: string;
  const joinedAt = async (g: GatewayServer) => ((await g.registry.getSingleMetric('motcua_subgraph_inflight_joined_total')?.get())?.values ?? []).reduce((n, v) => n + v.value, 0);
  const joined = () => joinedAt(gateway);

  beforeAll(async () => {
    system = await startSystem();
    proxy = await holdingProxy(system.subgraphs.intake.url);
    gateway = await createGateway({
      subgraphUrls: { ...Object.fromEntries(Object.entries(system.subgraphs).map(([n, s]) => [n, s.url])), intake: proxy.url },
      signingSecrets: Object.fromEntries(SUBGRAPHS.map((s) => [s.name, devSigningSecret(s.name)])),
      auth: loadConfig({}).auth,
      log: createLogger('test', 'silent'),
      // These tests are of the subgraph queries: whole requests are merged before them (below).
      requestDedupe: false,
    });
    ({ url } = await gateway.listen(0));
  });
  afterAll(async () => {
    await gateway?.close();
    await new Promise((resolve) => proxy?.server.close(resolve));
    await system?.close();
  });

  const QUERY = `{ dossiers(first: 20, filter: { receivedFrom: "2020-04-01T00:00:00+07:00" }) { edges { node { code department { code } } } } }`;
  const OFFICER: Identity = { subject: 'cat-1', role: 'DEPARTMENT_OFFICER', department: 'CAT' };

  it('when one caller asks the same thing twice at once, then intake is asked once and both get its answer; when another identity asks it at that instant, then it is asked again and each gets only its own', async () => {
    const [staffToken, officerToken] = await Promise.all([tokenFor(STAFF), tokenFor(OFFICER)]);
    const before = await joined();
    const first = postGraphQL(url, QUERY, {}, staffToken);
    await until(() => proxy.held.length === 1);
    const second = postGraphQL(url, QUERY, {}, staffToken);
    await until(async () => (await joined()) === before + 1);
    const officer = postGraphQL(url, QUERY, {}, officerToken);
    await until(() => proxy.held.length === 2);
    expect(proxy.held.map((h) => h.identity)).toHaveLength(2);
    expect(new Set(proxy.held.map((h) => h.identity)).size).toBe(2);
    proxy.held.splice(0).forEach((h) => h.release());
    const [a, b, c] = await Promise.all([first, second, officer]);
    for (const answer of [a, b, c]) expect(answer.errors).toBeUndefined();
    expect(b.data).toEqual(a.data);
    const staffDepartments = new Set(a.data.dossiers.edges.map((e: any) => e.node.department.code));
    const officerDepartments = new Set(c.data.dossiers.edges.map((e: any) => e.node.department.code));
    expect(staffDepartments.size).toBeGreaterThan(1);
    expect([...officerDepartments]).toEqual(['CAT']);
  });

  describe('and of whole requests', () => {
    let merging: GatewayServer;
    let mergingUrl: string;
    const requestsJoined = async () => ((await merging.registry.getSingleMetric('motcua_graphql_requests_joined_total')?.get())?.values ?? []).reduce((n, v) => n + v.value, 0);

    beforeAll(async () => {
      merging = await createGateway({
        subgraphUrls: { ...Object.fromEntries(Object.entries(system.subgraphs).map(([n, s]) => [n, s.url])), intake: proxy.url },
        signingSecrets: Object.fromEntries(SUBGRAPHS.map((s) => [s.name, devSigningSecret(s.name)])),
        auth: loadConfig({}).auth,
        log: createLogger('test', 'silent'),
      });
      ({ url: mergingUrl } = await merging.listen(0));
    });
    afterAll(() => merging?.close());

    it('when one caller sends the same query twice at once, then it is executed once and both get its answer; another identity at that instant gets its own', async () => {
      const [staffToken, officerToken] = await Promise.all([tokenFor(STAFF), tokenFor(OFFICER)]);
      const before = { requests: await requestsJoined(), subgraph: await joinedAt(merging) };
      const first = postGraphQL(mergingUrl, QUERY, {}, staffToken);
      await until(() => proxy.held.length === 1);
      const second = postGraphQL(mergingUrl, QUERY, {}, staffToken);
      await until(async () => (await requestsJoined()) === before.requests + 1);
      const officer = postGraphQL(mergingUrl, QUERY, {}, officerToken);
      await until(() => proxy.held.length === 2);
      expect(new Set(proxy.held.map((h) => h.identity)).size).toBe(2);
      proxy.held.splice(0).forEach((h) => h.release());
      const [a, b, c] = await Promise.all([first, second, officer]);
      for (const answer of [a, b, c]) expect(answer.errors).toBeUndefined();
      expect(b.data).toEqual(a.data);
      expect([...new Set(c.data.dossiers.edges.map((e: any) => e.node.department.code))]).toEqual(['CAT']);
      expect(await requestsJoined()).toBe(before.requests + 1);
      expect(await joinedAt(merging)).toBe(before.subgraph);
    });

    it('when one caller sends the same query with other variables at that instant, then each is executed for itself', async () => {
      const token = await tokenFor(STAFF);
      const before = await requestsJoined();
      const BY_CODE = `query($c: String!) { dossier(code: $c) { code } }`;
      const asked = ['000.00.16.H56-200401-0001', '000.00.16.H56-200401-0002'];
      const answers = Promise.all(asked.map((c) => postGraphQL(mergingUrl, BY_CODE, { c }, token)));
      await until(() => proxy.held.length === 2);
      proxy.held.splice(0).forEach((h) => h.release());
      expect((await answers).map((r) => r.data?.dossier?.code)).toEqual(asked);
      expect(await requestsJoined()).toBe(before);
    });
  });
});
