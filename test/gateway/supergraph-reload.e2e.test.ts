import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway, GatewayServer } from '../../gateway/gateway';
import { devSigningSecret, loadConfig } from '../../subgraphs/kit/config';
import { SUBGRAPHS } from '../../subgraphs/registry';
import { capturingLogger, demoDatabaseUrls, RunningSubgraph, startSubgraph, testPeers } from '../support/system';
import { composeCommitted, withoutField } from '../support/supergraphs';
import { until } from '../support/waiting';

/**
 * The gateway starts on a supergraph without `Department.hasOwnSystem` (intake resolves it all along), and the
 * full one is swapped in while clients query: the field appears, and no request fails on the way. The supergraphs
 * name the default ports (4001…), where nothing of this test listens: answers after a reload also show that the
 * gateway still sends each subgraph's calls to the URL it was given by name.
 */
const REDUCED = composeCommitted((name, sdl) => (name === 'intake' ? withoutField(sdl, 'Department', 'hasOwnSystem') : sdl));
const FULL = composeCommitted();
const STEADY = '{ departments { code name } }';
const NEW_FIELD = '{ departments { code hasOwnSystem } }';

let subgraphs: Record<string, RunningSubgraph>;
let dir: string;

beforeAll(async () => {
  const urls = demoDatabaseUrls();
  const peers = testPeers();
  subgraphs = {};
  for (const s of SUBGRAPHS) subgraphs[s.name] = await startSubgraph(s.name, urls[s.name], undefined, peers);
  dir = await mkdtemp(join(tmpdir(), 'motcua-supergraph-'));
});

afterAll(async () => {
  await Promise.all(Object.values(subgraphs ?? {}).map((s) => s.server.close()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function gatewayOn(supergraph: { file?: string; url?: string; pollMs: number }) {
  const { log, lines } = capturingLogger();
  const gateway = await createGateway({
    subgraphUrls: Object.fromEntries(Object.entries(subgraphs).map(([n, s]) => [n, s.url])),
    signingSecrets: Object.fromEntries(SUBGRAPHS.map((s) => [s.name, devSigningSecret(s.name)])),
    auth: loadConfig({}).auth,
    supergraph,
    log,
  });
  const { url } = await gateway.listen(0);
  return { gateway, url, lines };
}

async function post(url: string, query: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return { status: res.status, body: await res.json() };
}

/** Clients querying in a loop until stopped; every answer that is not a clean 200 with data is kept. */
function steadyLoad(url: string, clients = 4) {
  let running = true;
  let answered = 0;
  const failures: unknown[] = [];
  const loops = Array.from({ length: clients }, async () => {
    while (running) {
      const r = await post(url, STEADY).catch((e: Error) => ({ status: 0, body: { errors: [{ message: e.message }] } }));
      if (r.status !== 200 || r.body.errors || !(r.body.data?.departments?.length > 0)) failures.push(r);
      answered++;
    }
  });
  return {
    failures,
    answered: () => answered,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function reloads(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(/^motcua_supergraph_reloads_total\{[^}]*outcome="(\w+)"[^}]*\} (\d+)$/gm)) counts[m[1]] = Number(m[2]);
  return counts;
}

const servesNewField = (url: string) => async () => {
  const r = await post(url, NEW_FIELD);
  return r.status === 200 && !r.body.errors && r.body.data.departments.length > 0 ? r.body.data.departments : undefined;
};

/** Whether the served schema refuses the query as naming a field it does not have. */
async function unknownField(url: string, query: string): Promise<boolean> {
  const { body } = await post(url, query);
  return body.data === undefined && body.errors?.[0]?.extensions?.code === 'GRAPHQL_VALIDATION_FAILED';
}

/** As an editor or a deploy writes it: a new file beside the old, renamed over it. */
async function replaceFile(file: string, text: string): Promise<void> {
  const next = `${file}.${process.pid}.tmp`;
  await writeFile(next, text);
  await rename(next, file);
}

describe('supergraph hot reload from a file', () => {
  let gateway: GatewayServer;
  let url: string;
  let lines: string[];
  let file: string;

  beforeAll(async () => {
    file = join(dir, 'supergraph.graphql');
    await writeFile(file, REDUCED);
    // The stat poll is a minute away: what the test sees is the directory watch.
    ({ gateway, url, lines } = await gatewayOn({ file, pollMs: 60_000 }));
  });

  afterAll(async () => {
    await gateway?.close();
  });

  test('when a supergraph with a new field replaces the file under steady load, then no request fails and the field is served afterwards', async () => {
    expect(await unknownField(url, NEW_FIELD)).toBe(true);

    const load = steadyLoad(url);
    await until('the load to be running', async () => (load.answered() >= 20 ? true : undefined));
    await replaceFile(file, FULL);
    const departments = await until('the new field to answer', servesNewField(url));
    const atSwap = load.answered();
    await until('requests after the swap', async () => (load.answered() >= atSwap + 40 ? true : undefined));
    await load.stop();

    expect(departments).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'SGTVT', hasOwnSystem: true })]));
    expect(load.failures).toEqual([]);
    expect(await reloads(url)).toEqual({ loaded: 1 });
    const loaded = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'supergraph loaded');
    expect(loaded).toEqual([expect.objectContaining({ level: 30, source: 'file' })]);
  });

  test('when an invalid supergraph replaces the file, then it is refused, logged without its text and counted, and the served one keeps answering', async () => {
    const load = steadyLoad(url, 2);
    const broken = FULL.replace('hasOwnSystem: Boolean!', 'hasOwnSystem: NoSuchScalar!');
    expect(broken).not.toBe(FULL);
    await replaceFile(file, broken);
    const refused = await until('the refusal to be logged', async () =>
      lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'supergraph refused; the current one is kept'),
    );
    // A second, different broken text is refused and counted too.
    await replaceFile(file, 'type Query {');
    await until('the second refusal', async () => ((await reloads(url)).refused === 2 ? true : undefined));
    const answered = load.answered();
    await until('requests after the refusals', async () => (load.answered() >= answered + 20 ? true : undefined));
    await load.stop();

    expect(refused).toMatchObject({ level: 40, source: 'file', reason: 'INVALID_GRAPHQL' });
    expect(await reloads(url)).toEqual({ loaded: 1, refused: 2 });
    const refusals = lines.filter((l) => l.includes('supergraph refused'));
    expect(refusals).toHaveLength(2);
    for (const line of refusals) {
      expect(line).not.toMatch(/NoSuchScalar|type Query|http:\/\/|127\.0\.0\.1/);
      expect(line).not.toContain(dir);
    }
    expect(load.failures).toEqual([]);
    expect(await servesNewField(url)()).toBeDefined();
  });

  test('when a valid supergraph names a subgraph the gateway cannot sign calls for, then it is refused and the served one kept', async () => {
    const before = (await reloads(url)).refused ?? 0;
    const lottery = {
      name: 'lottery',
      url: 'http://lottery.internal:4999/graphql',
      sdl: 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@shareable"])\ntype Query { jackpot: Int }',
    };
    const withStranger = composeCommitted(undefined, [lottery]);
    await replaceFile(file, withStranger);
    await until('the refusal', async () => ((await reloads(url)).refused === before + 1 ? true : undefined));

    const refusal = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'supergraph refused; the current one is kept').at(-1);
    expect(refusal).toMatchObject({ source: 'file', reason: 'UPDATE_FAILED' });
    expect(lines.join("\n")).not.toMatch(/lottery|jackpot/);
    expect(await unknownField(url, '{ jackpot }')).toBe(true);
    expect(await servesNewField(url)()).toBeDefined();
  });
});

describe('supergraph hot reload from SUPERGRAPH_URL', () => {
  let server: Server;
  /** What the source answers now; an ETag is sent only when `etag` is set. */
  const source = { status: 200, body: REDUCED, etag: undefined as string | undefined };
  const seen = { requests: 0, notModified: 0, inFlight: 0, maxInFlight: 0 };
  let sourceUrl: string;

  beforeAll(async () => {
    // Slower to answer than the poll interval: a poller that did not wait for its answer would overlap.
    server = createServer((req, res) => {
      seen.requests++;
      seen.inFlight++;
      seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
      setTimeout(() => {
        seen.inFlight--;
        const etag = source.etag ? { etag: source.etag } : {};
        if (source.etag && req.headers['if-none-match'] === source.etag) {
          seen.notModified++;
          res.writeHead(304, etag).end();
        } else {
          res.writeHead(source.status, { 'content-type': 'text/plain', ...etag }).end(source.body);
        }
      }, 150);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    sourceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/supergraph.graphql`;
  });

  afterAll(async () => {
    await new Promise((r) => server?.close(r));
  });

  const polls = (n: number) => {
    const target = seen.requests + n;
    return until(`${n} more polls`, async () => (seen.requests >= target ? true : undefined));
  };

  test('when the supergraph served at the URL changes, then the gateway polls one request at a time, sends its ETag, and serves the new one', async () => {
    Object.assign(source, { status: 200, body: REDUCED, etag: '"v1"' });
    const { gateway, url } = await gatewayOn({ url: sourceUrl, pollMs: 50 });
    try {
      const notModified = seen.notModified;
      await until('polls answered 304', async () => (seen.notModified >= notModified + 3 ? true : undefined));
      expect(await unknownField(url, NEW_FIELD)).toBe(true);

      const load = steadyLoad(url);
      Object.assign(source, { body: FULL, etag: '"v2"' });
      await until('the new field to answer', servesNewField(url));
      const atSwap = load.answered();
      await until('requests after the swap', async () => (load.answered() >= atSwap + 40 ? true : undefined));
      await load.stop();

      expect(load.failures).toEqual([]);
      expect(seen.maxInFlight).toBe(1);
      expect(await reloads(url)).toEqual({ loaded: 1 });
    } finally {
      await gateway.close();
    }
    const after = seen.requests;
    // Nothing to await for an absence: a poller still running after close would ask again within a few intervals.
    await new Promise((r) => setTimeout(r, 500));
    expect(seen.requests).toBe(after);
  });

  test('when the URL answers an error or an invalid supergraph at every poll, then each is logged once, the invalid one counted once, and the served one kept', async () => {
    Object.assign(source, { status: 200, body: FULL, etag: undefined });
    const { gateway, url, lines } = await gatewayOn({ url: sourceUrl, pollMs: 50 });
    try {
      Object.assign(source, { status: 503, body: 'down for maintenance' });
      await polls(4);
      Object.assign(source, { status: 200, body: FULL.replace('hasOwnSystem: Boolean!', 'hasOwnSystem: NoSuchScalar!') });
      await until('the refusal', async () => ((await reloads(url)).refused === 1 ? true : undefined));
      await polls(4);

      expect(await reloads(url)).toEqual({ refused: 1 });
      const logged = lines.map((l) => JSON.parse(l)).filter((l) => l.level >= 40);
      expect(logged).toEqual([
        expect.objectContaining({ source: 'url', error: 'HTTP_503', msg: 'supergraph source unreadable; the current supergraph is kept' }),
        expect.objectContaining({ source: 'url', reason: 'INVALID_GRAPHQL', msg: 'supergraph refused; the current one is kept' }),
      ]);
      expect(lines.join('\n')).not.toMatch(/NoSuchScalar|maintenance|127\.0\.0\.1|supergraph\.graphql/);
      expect(await servesNewField(url)()).toBeDefined();
    } finally {
      await gateway.close();
    }
  });

  test('when the URL serves an invalid supergraph at start-up, then the gateway does not start, and says why without quoting it', async () => {
    Object.assign(source, { status: 200, body: 'type Query { oops', etag: undefined });
    const started = gatewayOn({ url: sourceUrl, pollMs: 50 });
    await expect(started).rejects.toThrow(/^the supergraph url is not a valid supergraph \(GRAPHQL_PARSE_FAILED\)$/);
  });
});
