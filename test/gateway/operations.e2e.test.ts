import { readFileSync } from 'node:fs';
import { devHandoverPublicKey } from '../../subgraphs/kit/messaging/handover.keys';
import { AddressInfo, connect, createServer as createNetServer, Socket } from 'node:net';
import { createGateway } from '../../gateway/gateway';
import { loadConfig } from '../../subgraphs/kit/config';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createDataSource, migrate } from '../../subgraphs/kit/data-source';
import { createSubgraphServer } from '../../subgraphs/kit/server';
import { createLogger } from '../../subgraphs/kit/logger';
import { databaseOf } from '../../subgraphs/kit/subgraph';
import { devSigningSecret } from '../../subgraphs/kit/config';
import { SUBGRAPHS, subgraph } from '../../subgraphs/registry';
import { dropDatabases, testDatabaseUrl, uniquePrefix } from '../support/databases';
import { capturingLogger, STAFF, startSubgraph, startSystem, TestSystem, testPeers, tokenFor } from '../support/system';
import { until } from '../support/waiting';

/** Forwards to `target` until frozen: then it holds every byte, as a process stopped with SIGSTOP would (its port still accepts). */
async function freezableProxy(target: number) {
  let frozen = false;
  const held: (() => void)[] = [];
  const sockets = new Set<Socket>();
  const server = createNetServer((client: Socket) => {
    const upstream = connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    const pass = (to: Socket) => (d: Buffer) => (frozen ? held.push(() => to.write(d)) : to.write(d));
    client.on('data', pass(upstream));
    upstream.on('data', pass(client));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    freeze: () => void (frozen = true),
    thaw: () => {
      frozen = false;
      held.splice(0).forEach((f) => f());
    },
    close: () => {
      sockets.forEach((s) => s.destroy());
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const base = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, '');

/** Prometheus text: each sample's labels and value, by metric name. */
function samples(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .map((l) => {
      const m = /^[^{ ]+(?:\{(.*)\})? (\S+)$/.exec(l)!;
      const labels = Object.fromEntries([...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
      return { labels, value: Number(m[2]) };
    });
}

const DOSSIER = `query Whole($code: String!) { dossier(code: $code) { code applicant { fullName } processing { __typename status } shipments { trackingNumber } } }`;

describe('operating the graph: probes, metrics and the access log', () => {
  let system: TestSystem;
  const captured = capturingLogger();
  let code: string;
  let fullName: string;

  beforeAll(async () => {
    system = await startSystem(undefined, { log: captured.log });
    [{ code, fullName }] = await system.subgraphs.intake.server.db.query(
      `SELECT code, applicant_full_name AS "fullName" FROM dossier WHERE processing_system = 'transport' AND channel = 'POSTAL' ORDER BY code LIMIT 1`,
    );
  });
  afterAll(() => system?.close());

  it('when the system serves, then every service answers /healthcheck, /health and /readiness with 200', async () => {
    const services = [system.gatewayUrl, ...Object.values(system.subgraphs).map((s) => s.url)].map(base);
    for (const url of services) {
      for (const path of ['/healthcheck', '/health', '/readiness']) {
        const res = await fetch(url + path);
        expect({ url: url + path, status: res.status }).toEqual({ url: url + path, status: 200 });
        expect(res.headers.get('cache-control')).toBe('no-store');
      }
    }
    expect(await (await fetch(`${base(system.gatewayUrl)}/readiness`)).json()).toEqual({ status: 'ready', service: 'gateway' });
  });

  it('when every subgraph is ready, then /health/subgraphs says each is up', async () => {
    const res = await fetch(`${base(system.gatewayUrl)}/health/subgraphs`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(Object.fromEntries(SUBGRAPHS.map((s) => [s.name, 'up'])));
  });

  it('when a dossier is read across three systems, then the gateway counts the request and each subgraph call, with bounded labels only', async () => {
    const { errors } = await system.query(DOSSIER, { code });
    expect(errors).toBeUndefined();
    const refused = await system.query(DOSSIER, { code: 'not a code' });
    expect(refused.errors[0].extensions.code).toBe('BAD_USER_INPUT');

    const text = await (await fetch(`${base(system.gatewayUrl)}/metrics`)).text();
    const requests = samples(text, 'motcua_graphql_requests_total');
    expect(requests.find((s) => s.labels.operation_type === 'query' && s.labels.outcome === 'ok')?.value).toBeGreaterThanOrEqual(1);
    expect(requests.find((s) => s.labels.operation_type === 'query' && s.labels.outcome === 'refused')?.value).toBeGreaterThanOrEqual(1);
    for (const s of requests) {
      expect(['query', 'mutation', 'subscription', 'unknown']).toContain(s.labels.operation_type);
      expect(['ok', 'refused', 'error']).toContain(s.labels.outcome);
    }
    const calls = samples(text, 'motcua_subgraph_requests_total');
    for (const name of ['intake', 'transport', 'postal']) {
      expect(calls.find((s) => s.labels.subgraph === name && s.labels.outcome === 'ok')?.value).toBeGreaterThanOrEqual(1);
    }
    for (const s of calls) expect(SUBGRAPHS.map((x) => x.name)).toContain(s.labels.subgraph);
    expect(samples(text, 'motcua_graphql_request_duration_seconds_count').find((s) => s.labels.operation_type === 'query')?.value).toBeGreaterThanOrEqual(2);
    expect(samples(text, 'motcua_subgraph_request_duration_seconds_count').map((s) => s.labels.subgraph)).toEqual(expect.arrayContaining(['intake', 'transport', 'postal']));
    expect(samples(text, 'motcua_subgraph_up').filter((s) => s.value === 1).map((s) => s.labels.subgraph).sort()).toEqual(SUBGRAPHS.map((s) => s.name).sort());
    expect(text).not.toContain(fullName);
    expect(text).not.toContain(code);
  });

  it('when a subgraph is scraped, then it shows its outbox per destination and its connection pools', async () => {
    const text = await (await fetch(`${base(system.subgraphs.intake.url)}/metrics`)).text();
    const pending = samples(text, 'motcua_outbox_pending');
    expect(pending.map((s) => s.labels.destination).sort()).toEqual(SUBGRAPHS.map((s) => s.name).filter((n) => n !== 'intake').sort());
    for (const s of pending) expect(s.value).toBeGreaterThanOrEqual(0);
    expect(samples(text, 'motcua_outbox_oldest_pending_seconds')).toHaveLength(pending.length);
    const pool = samples(text, 'motcua_db_pool_connections').find((s) => s.labels.pool === 'main');
    expect(pool?.value).toBeGreaterThanOrEqual(1);
    expect(samples(text, 'motcua_db_pool_waiting_requests').find((s) => s.labels.pool === 'main')?.value).toBeGreaterThanOrEqual(0);
    expect(samples(text, 'motcua_graphql_requests_total').find((s) => s.labels.outcome === 'ok')?.value).toBeGreaterThanOrEqual(1);
  });

  it('when the example alert rules are read, then every metric they name is one the gateway or a subgraph exposes', async () => {
    const rules = parseYaml(readFileSync(join(__dirname, '../../deploy/prometheus/motcua.rules.yml'), 'utf8'));
    const named = new Set<string>(
      rules.groups.flatMap((g: any) => g.rules.flatMap((r: any) => [...String(r.expr).matchAll(/\bmotcua_\w+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, '')))),
    );
    expect(named.size).toBeGreaterThanOrEqual(6);
    const scraped = (
      await Promise.all([system.gatewayUrl, system.subgraphs.intake.url].map(async (u) => (await fetch(`${base(u)}/metrics`)).text()))
    ).join('\n');
    const exposed = new Set([...scraped.matchAll(/^# TYPE (\w+) /gm)].map((m) => m[1]));
    expect([...named].filter((n) => !exposed.has(n))).toEqual([]);
  });

  it('when a request is answered, then one access line names it, the subgraphs it used and its codes, and nothing personal', async () => {
    captured.lines.length = 0;
    const res = await fetch(system.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await (await import('../support/system')).tokenFor({ subject: 's', role: 'CENTRE_STAFF' })}`, 'x-request-id': 'access-log-test-0001' },
      body: JSON.stringify({ query: DOSSIER, variables: { code }, operationName: 'Whole' }),
    });
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id')!;
    const gatewayLines = await until('the access line', async () => {
      const found = captured.lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'access' && l.requestId === requestId && l.path === '/graphql');
      return found.length ? found : undefined;
    });
    // One logger captures every service here: the gateway's line names the client's operation, each hop its own.
    const [line, ...others] = gatewayLines.filter((l) => l.operationName === 'Whole');
    expect(others).toHaveLength(0);
    expect(line).toMatchObject({ method: 'POST', status: 200, operationName: 'Whole', operationType: 'query', errorCodes: [] });
    expect(line.subgraphs.sort()).toEqual(['intake', 'postal', 'transport']);
    expect(typeof line.ms).toBe('number');
    // Each subgraph logs its own hop under the same request id.
    const hops = gatewayLines.filter((l) => l.operationName !== 'Whole');
    expect(hops.map((l) => l.operationName.replace(/__\d+$/, '')).sort()).toEqual(['Whole__intake', 'Whole__postal', 'Whole__transport']);
    const all = captured.lines.join('\n');
    expect(all).not.toContain(fullName);
    expect(all).not.toContain(code);
  });

  it('when a client asks for a path the gateway does not serve, then the access line names it "other", never the text it sent', async () => {
    captured.lines.length = 0;
    const res = await fetch(`${base(system.gatewayUrl)}/dossier/056080001234`, { headers: { 'x-request-id': 'unknown-path-test-01' } });
    expect(res.status).toBe(404);
    const line = await until('the access line', () => captured.lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'access' && l.status === 404));
    expect(line).toMatchObject({ method: 'GET', path: 'other', status: 404 });
    expect(captured.lines.join('\n')).not.toContain('056080001234');
  });

  it('when a subgraph freezes, then /health/subgraphs says down within 10 s while the others stay up, and up within 10 s of it thawing', async () => {
    const proxy = await freezableProxy(Number(new URL(system.subgraphs.police.url).port));
    const urls = Object.fromEntries(Object.entries(system.subgraphs).map(([n, s]) => [n, s.url]));
    urls.police = `http://127.0.0.1:${proxy.port}/graphql`;
    const gateway = await createGateway({
      subgraphUrls: urls,
      signingSecrets: Object.fromEntries(SUBGRAPHS.map((s) => [s.name, devSigningSecret(s.name)])),
      auth: loadConfig({}).auth,
      log: createLogger('gateway', 'silent'),
    });
    const { url } = await gateway.listen(0);
    const health = () => fetch(`${base(url)}/health/subgraphs`).then((r) => r.json());
    try {
      expect((await health()).police).toBe('up');
      proxy.freeze();
      const frozenAt = Date.now();
      await until('police down', async () => ((await health()).police === 'down' ? true : undefined), 10_000);
      expect(Date.now() - frozenAt).toBeLessThan(10_000);
      expect(await health()).toEqual({ ...Object.fromEntries(SUBGRAPHS.map((s) => [s.name, 'up'])), police: 'down' });
      expect((await fetch(`${base(url)}/readiness`)).status).toBe(200);
      proxy.thaw();
      await until('police up', async () => ((await health()).police === 'up' ? true : undefined), 10_000);
    } finally {
      proxy.thaw();
      await gateway.close();
      await proxy.close();
    }
  });

  it('when the gateway signs with a secret a subgraph does not share, then the client sees an opaque error and the call counts as an error', async () => {
    const gateway = await createGateway({
      subgraphUrls: Object.fromEntries(Object.entries(system.subgraphs).map(([n, s]) => [n, s.url])),
      signingSecrets: { ...Object.fromEntries(SUBGRAPHS.map((s) => [s.name, devSigningSecret(s.name)])), intake: 'x'.repeat(40) },
      auth: loadConfig({}).auth,
      log: createLogger('gateway', 'silent'),
    });
    try {
      const { url } = await gateway.listen(0);
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(STAFF)}` },
        body: JSON.stringify({ query: '{ departments { code } }' }),
      }).then((r) => r.json());
      expect(res.errors.map((e: any) => [e.message, e.extensions.code])).toEqual([['Internal server error', 'INTERNAL_SERVER_ERROR']]);
      const text = await (await fetch(`${base(url)}/metrics`)).text();
      expect(samples(text, 'motcua_subgraph_requests_total').filter((x) => x.labels.subgraph === 'intake').map((x) => [x.labels.outcome, x.value])).toEqual([['error', 1]]);
    } finally {
      await gateway.close();
    }
  });

  it('when a subgraph stops, then /health/subgraphs says down within 10 s, and up within 10 s of its return', async () => {
    const postal = system.subgraphs.postal;
    const port = Number(new URL(postal.url).port);
    await postal.server.close();
    const health = () => fetch(`${base(system.gatewayUrl)}/health/subgraphs`).then((r) => r.json());
    const down = await until('postal down', async () => ((await health()).postal === 'down' ? Date.now() : undefined), 10_000);
    expect((await health()).intake).toBe('up');
    // The gateway stays ready: a department out is answered around, not a reason to leave the load balancer.
    expect((await fetch(`${base(system.gatewayUrl)}/readiness`)).status).toBe(200);
    system.subgraphs.postal = await startSubgraph('postal', system.urls.postal, createLogger('postal', 'silent'), system.peers, port);
    const up = await until('postal up', async () => ((await health()).postal === 'up' ? Date.now() : undefined), 10_000);
    expect(up).toBeGreaterThanOrEqual(down);
  });
});

describe('a subgraph whose migrations have not been applied', () => {
  const prefix = uniquePrefix('readiness');
  afterAll(() => dropDatabases(prefix));

  it('when it starts without migrating, then /readiness is 503 saying so, and 200 once `migrate` has run', async () => {
    const url = testDatabaseUrl(prefix, 'postal');
    const scratch = createDataSource({ url, ...databaseOf(await subgraph('postal').load()) });
    const { ensureDatabase } = await import('../../subgraphs/kit/data-source');
    await ensureDatabase(url);
    const server = await createSubgraphServer(await subgraph('postal').load(), {
      databaseUrl: url,
      signingSecret: devSigningSecret('postal'),
      handoverPublicKeyOf: devHandoverPublicKey,
      peers: testPeers(),
      log: createLogger('postal', 'silent'),
      migrate: false,
    });
    try {
      const { url: graphqlUrl } = await server.listen(0);
      const before = await fetch(`${base(graphqlUrl)}/readiness`);
      expect(before.status).toBe(503);
      expect(await before.json()).toEqual({ status: 'unavailable', service: 'postal', reason: expect.stringMatching(/^\d+ migration\(s\) not applied: run npm run migrate$/) });
      expect((await fetch(`${base(graphqlUrl)}/healthcheck`)).status).toBe(200);
      await scratch.initialize();
      expect(await migrate(scratch)).toBeGreaterThan(0);
      expect((await fetch(`${base(graphqlUrl)}/readiness`)).status).toBe(200);
    } finally {
      if (scratch.isInitialized) await scratch.destroy();
      await server.close();
    }
  });
});
