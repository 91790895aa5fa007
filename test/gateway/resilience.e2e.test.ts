import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGateway, GatewayServer } from '../../gateway/gateway';
import { devSigningSecret, loadConfig, ResilienceConfig } from '../../subgraphs/kit/config';
import { SUBGRAPHS } from '../../subgraphs/registry';
import { capturingLogger, demoDatabaseUrls, postGraphQL, RunningSubgraph, STAFF, startSubgraph, testPeers, tokenFor } from '../support/system';
import { until } from '../support/waiting';

type Fault = 'pass' | 'freeze' | 'reset' | { status: number; times: number };

/**
 * An HTTP hop of the test's own between the gateway and one real subgraph: passes calls on, or holds them without
 * an answer (a frozen process), or resets the connection of each (a dead one), or answers a status a number of
 * times (a load balancer with no backend), or passes them late. Counts the GraphQL calls that reach it; readiness probes pass uncounted.
 */
class FaultyHop {
  fault: Fault = 'pass';
  /** Added before each call passed on. */
  delayMs = 0;
  readonly calls = { queries: 0, mutations: 0 };
  /** How long each held call was held before the gateway gave up on it. */
  readonly heldMs: number[] = [];
  private readonly server: Server;
  private readonly held = new Set<ServerResponse>();

  constructor(private readonly target: string) {
    this.server = createServer((req, res) => void this.handle(req, res).catch(() => res.destroy()));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/graphql`;
  }

  get total(): number {
    return this.calls.queries + this.calls.mutations;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    if (req.url?.startsWith('/graphql')) {
      if (/^\s*mutation\b/.test(JSON.parse(body.toString()).query)) this.calls.mutations++;
      else this.calls.queries++;
    }
    const fault = this.fault;
    if (fault === 'freeze') {
      const since = performance.now();
      this.held.add(res);
      res.on('close', () => {
        this.held.delete(res);
        this.heldMs.push(performance.now() - since);
      });
      return;
    }
    if (fault === 'reset') return void req.socket.destroy();
    if (typeof fault === 'object' && fault.times > 0) {
      fault.times--;
      res.writeHead(fault.status, { 'content-type': 'text/plain' }).end('no backend');
      return;
    }
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
    const upstream = await fetch(new URL(req.url!, this.target), { method: req.method, headers, body: req.method === 'POST' ? body : undefined });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  }

  async close(): Promise<void> {
    for (const res of this.held) res.socket?.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

let subgraphs: Record<string, RunningSubgraph>;
let staff: string;

beforeAll(async () => {
  const urls = demoDatabaseUrls();
  const peers = testPeers();
  subgraphs = {};
  for (const s of SUBGRAPHS) subgraphs[s.name] = await startSubgraph(s.name, urls[s.name], undefined, peers);
  staff = await tokenFor(STAFF);
});

afterAll(async () => {
  await Promise.all(Object.values(subgraphs ?? {}).map((s) => s.server.close()));
});

interface Rig {
  url: string;
  /** The hop in front of the first system named. */
  hop: FaultyHop;
  hops: Record<string, FaultyHop>;
  lines: string[];
  query(query: string, variables?: Record<string, unknown>): Promise<any>;
  metric(name: string, labels: Record<string, string>): Promise<number | undefined>;
  close(): Promise<void>;
}

/** A gateway of its own (its own breakers) with `resilience`, reaching the systems `through` by faulty hops, the others directly. */
async function rig(through: string[], resilience: Partial<ResilienceConfig>): Promise<Rig> {
  const hops: Record<string, FaultyHop> = {};
  const urls: Record<string, string> = {};
  for (const [name, s] of Object.entries(subgraphs)) {
    if (!through.includes(name)) {
      urls[name] = s.url;
      continue;
    }
    hops[name] = new FaultyHop(s.url);
    urls[name] = await hops[name].listen();
  }
  const { log, lines } = capturingLogger();
  const gateway: GatewayServer = await createGateway({
    subgraphUrls: urls,
    signingSecrets: Object.fromEntries(SUBGRAPHS.map((s) => [s.name, devSigningSecret(s.name)])),
    auth: loadConfig({}).auth,
    resilience,
    log,
  });
  const { url } = await gateway.listen(0);
  return {
    url,
    hop: hops[through[0]],
    hops,
    lines,
    query: (query, variables) => postGraphQL(url, query, variables, staff),
    async metric(name, labels) {
      const text = await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
      return line === undefined ? undefined : Number(line.split(' ').at(-1));
    },
    async close() {
      await gateway.close();
      await Promise.all(Object.values(hops).map((h) => h.close()));
    },
  };
}

async function codeOf(system: string): Promise<string> {
  const [row] = await subgraphs.intake.server.db.query(
    `SELECT d.code FROM dossier d WHERE d.processing_system = $1 AND EXISTS (SELECT 1 FROM dossier_event e WHERE e.dossier_code = d.code) ORDER BY d.code LIMIT 1`,
    [system],
  );
  return row.code;
}

const DOSSIER = `query($c: String!) { dossier(code: $c) {
  code channel receivedAt dueAt procedure { name workingDays } department { code name }
  applicant { fullName idNumber } timeline { at system type }
  processing { __typename status officer decision history { status at } }
  shipments { trackingNumber direction status }
} }`;

const LIST = `{ dossiers(first: 30, filter: { overdue: false }) { edges { node { code department { code } processing { __typename status officer } } } } }`;

const CLEAN = /127\.0\.0\.1|localhost|http:|ECONN|stack|serviceName|Error:|undici|socket/i;

describe('when a department system is frozen (it accepts calls and never answers)', () => {
  let r: Rig;
  beforeAll(async () => {
    r = await rig(['transport'], { timeoutMsBySubgraph: { transport: 1_500 }, circuitFailures: 1000 });
  });
  afterAll(() => r.close());

  it('then a dossier of that department answers, within the subgraph timeout, with every other field, and UNAVAILABLE on its processing alone, naming the system and department and nothing internal', async () => {
    const code = await codeOf('transport');
    const whole = await r.query(DOSSIER, { c: code });
    expect(whole.errors).toBeUndefined();
    expect(whole.data.dossier.processing.__typename).toBe('TransportProcessing');

    r.hop.fault = 'freeze';
    const started = performance.now();
    const res = await r.query(DOSSIER, { c: code });
    const ms = performance.now() - started;
    r.hop.fault = 'pass';

    expect(res.data.dossier).toEqual({ ...whole.data.dossier, processing: null });
    expect(res.errors).toEqual([
      {
        message: "the system of department SGTVT is not answering; try again later",
        path: ['dossier', 'processing'],
        extensions: { code: 'UNAVAILABLE', subgraph: 'transport', departmentCode: 'SGTVT', requestId: expect.any(String) },
      },
    ]);
    expect(JSON.stringify(res.errors)).not.toMatch(CLEAN);
    // Cut by transport's own 1.5 s, not the 10 s default, nor the 15 s deadline.
    const held = await until('the held call to be let go', () => r.hop.heldMs[0]);
    expect(held).toBeGreaterThanOrEqual(1_400);
    expect(ms).toBeLessThan(5_000);
  });

  it('then in a list of dossiers of several departments, UNAVAILABLE stands exactly on the processing of each dossier of that department, and the others are whole', async () => {
    const whole = await r.query(LIST);
    expect(whole.errors).toBeUndefined();
    const edges = whole.data.dossiers.edges as any[];
    const transport = edges.flatMap((e, i) => (e.node.processing.__typename === 'TransportProcessing' ? [i] : []));
    // The gateway sends transport only its own dossiers: the list must mix them with others, not lead with them.
    expect(transport.length).toBeGreaterThan(1);
    expect(transport.length).toBeLessThan(edges.length);
    expect(transport).not.toEqual(transport.map((_, i) => i));

    r.hop.fault = 'freeze';
    const res = await r.query(LIST);
    r.hop.fault = 'pass';

    expect(res.errors.map((e: any) => e.path)).toEqual(transport.map((i) => ['dossiers', 'edges', i, 'node', 'processing']));
    expect(new Set(res.errors.map((e: any) => `${e.extensions.code} ${e.extensions.subgraph} ${e.extensions.departmentCode}`))).toEqual(new Set(['UNAVAILABLE transport SGTVT']));
    expect(res.data.dossiers.edges).toEqual(edges.map((e, i) => (transport.includes(i) ? { node: { ...e.node, processing: null } } : e)));
  });

  it('then the requests and the calls count as errors in the metrics, never as refusals', async () => {
    expect(await r.metric('motcua_graphql_requests_total', { operation_type: 'query', outcome: 'error' })).toBeGreaterThanOrEqual(2);
    expect(await r.metric('motcua_graphql_requests_total', { operation_type: 'query', outcome: 'refused' })).toBeUndefined();
    expect(await r.metric('motcua_subgraph_requests_total', { subgraph: 'transport', outcome: 'error' })).toBeGreaterThanOrEqual(2);
    expect(await r.metric('motcua_subgraph_requests_total', { subgraph: 'transport', outcome: 'refused' })).toBeUndefined();
  });
});

describe('when a frozen system holds every connection of the pool', () => {
  let r: Rig;
  beforeAll(async () => {
    r = await rig(['transport'], { deadlineMs: 2_000, queryTimeoutMs: 30_000, circuitFailures: 1000 });
  });
  afterAll(() => r.close());

  it('then the requests queued for a connection behind them are answered at their deadline too', async () => {
    const code = await codeOf('transport');
    r.hop.fault = 'freeze';
    const waits = await Promise.all(
      Array.from({ length: 140 }, async (_, i) => {
        const started = performance.now();
        // Each its own operation: identical ones of one caller would be executed once, and not fill the pool.
        const answer = await r.query(`query Queued${i}($c: String!) { dossier(code: $c) { code processing { status } } }`, { c: code });
        return { answer, ms: performance.now() - started };
      }),
    );
    r.hop.fault = 'pass';
    for (const { answer } of waits) {
      expect(answer.data.dossier).toEqual({ code, processing: null });
      expect(answer.errors.map((e: any) => e.extensions.code)).toEqual(['UNAVAILABLE']);
    }
    // 128 calls hold the pool's connections for 30 s; the other 12 would wait that long for one, and their own
    // timeout after it, if the request's time did not run, and abort them, while they wait. (The margin is this
    // process's: the client, the gateway, intake and the hop share one event loop here, on a machine that may be busy;
    // without the deadline the last ones would take 30 s and more.)
    expect(Math.max(...waits.map((w) => w.ms))).toBeLessThan(20_000);
  });
});

describe('when a system is down (every call to it fails)', () => {
  let r: Rig;
  const PROCESSING = `query($c: String!) { dossier(code: $c) { code processing { status } } }`;
  beforeAll(async () => {
    // No probe while the ten calls that must fail at once run, however slow the machine.
    r = await rig(['police'], { retries: 0, circuitFailures: 5, circuitFirstProbeMs: 3_000, circuitHalfOpenAfterMs: 3_000 });
  });
  afterAll(() => r.close());

  it('then after 5 failures its circuit opens (gauge 1), later calls fail at once without reaching it, and once it is back a half-open probe closes the circuit (gauge 0); each change is logged once', async () => {
    const code = await codeOf('police');
    expect(await r.metric('motcua_subgraph_circuit_open', { subgraph: 'police' })).toBe(0);
    r.hop.fault = 'reset';
    for (let i = 1; i <= 5; i++) {
      const res = await r.query(PROCESSING, { c: code });
      expect(res.data.dossier).toEqual({ code, processing: null });
      expect(res.errors.map((e: any) => [e.extensions.code, e.extensions.subgraph, e.extensions.departmentCode])).toEqual([['UNAVAILABLE', 'police', 'CAT']]);
      expect(r.hop.calls.queries).toBe(i);
    }
    expect(await r.metric('motcua_subgraph_circuit_open', { subgraph: 'police' })).toBe(1);

    for (let i = 0; i < 10; i++) {
      const res = await r.query(PROCESSING, { c: code });
      expect(res.data.dossier).toEqual({ code, processing: null });
      expect(res.errors.map((e: any) => [e.extensions.code, e.extensions.subgraph, e.message])).toEqual([
        ['UNAVAILABLE', 'police', 'the system of department CAT is not answering; try again later'],
      ]);
    }
    expect(r.hop.calls.queries).toBe(5);

    r.hop.fault = 'pass';
    const back = await until('the circuit to close', async () => {
      const res = await r.query(PROCESSING, { c: code });
      return res.errors ? undefined : res;
    }, 10_000);
    expect(back.data.dossier.processing.status).toEqual(expect.any(String));
    expect(r.hop.calls.queries).toBe(6);
    expect(await r.metric('motcua_subgraph_circuit_open', { subgraph: 'police' })).toBe(0);

    const circuit = r.lines.map((l) => JSON.parse(l)).filter((l) => /^circuit/.test(l.msg));
    expect(circuit.map((l) => [l.level, l.msg, l.subgraph])).toEqual([
      [40, 'circuit opened: calls to the subgraph fail at once', 'police'],
      [30, 'circuit closed: the subgraph answers again', 'police'],
    ]);
    expect(r.lines.join('\n')).not.toContain(code);
  });

  it('then the circuits of the other systems stay closed', async () => {
    for (const s of SUBGRAPHS.filter((s) => s.name !== 'police')) expect(await r.metric('motcua_subgraph_circuit_open', { subgraph: s.name })).toBe(0);
  });
});

describe('when the intake register itself does not answer', () => {
  let r: Rig;
  beforeAll(async () => {
    r = await rig(['intake'], { retries: 0 });
  });
  afterAll(() => r.close());

  it('then each root field it owns is null with UNAVAILABLE naming it, and a root field of another system still answers', async () => {
    const [shipment] = await subgraphs.postal.server.db.query(`SELECT tracking_number AS "trackingNumber" FROM shipment ORDER BY tracking_number LIMIT 1`);
    const code = await codeOf('transport');
    const QUERY = `query($c: String!, $t: String!) { a: dossier(code: $c) { code } b: oneStopProcessing(dossierCode: $c) { status } shipment(trackingNumber: $t) { trackingNumber } }`;
    r.hop.fault = 'reset';
    const res = await r.query(QUERY, { c: code, t: shipment.trackingNumber });
    r.hop.fault = 'pass';
    expect(res.data).toEqual({ a: null, b: null, shipment: { trackingNumber: shipment.trackingNumber } });
    expect(res.errors.map((e: any) => [e.path, e.extensions.code, e.extensions.subgraph, e.extensions.departmentCode, e.message])).toEqual([
      [['a'], 'UNAVAILABLE', 'intake', undefined, 'a system this answer needs is not answering; try again later'],
      [['b'], 'UNAVAILABLE', 'intake', undefined, 'a system this answer needs is not answering; try again later'],
    ]);
  });
});

describe('when a call gets a 503 from the way to a subgraph', () => {
  let r: Rig;
  beforeAll(async () => {
    r = await rig(['transport'], { retries: 1 });
  });
  afterAll(() => r.close());

  it('then a query is sent again, once, and answers whole', async () => {
    const code = await codeOf('transport');
    r.hop.fault = { status: 503, times: 1 };
    const before = r.hop.calls.queries;
    const res = await r.query(`query($c: String!) { dossier(code: $c) { code processing { status } } }`, { c: code });
    expect(res.errors).toBeUndefined();
    expect(res.data.dossier.processing.status).toEqual(expect.any(String));
    expect(r.hop.calls.queries - before).toBe(2);
  });

  it('then a query that keeps getting 503 is sent at most 1 + retries times, and answers UNAVAILABLE', async () => {
    const code = await codeOf('transport');
    r.hop.fault = { status: 503, times: 100 };
    const before = r.hop.calls.queries;
    const res = await r.query(`query($c: String!) { dossier(code: $c) { code processing { status } } }`, { c: code });
    r.hop.fault = 'pass';
    expect(res.errors.map((e: any) => [e.path, e.extensions.code])).toEqual([[['dossier', 'processing'], 'UNAVAILABLE']]);
    expect(r.hop.calls.queries - before).toBe(2);
  });

  it('then a mutation is never sent again, and its error says to repeat it with the same idempotency key', async () => {
    const code = await codeOf('transport');
    r.hop.fault = { status: 503, times: 100 };
    const res = await r.query(`mutation($c: String!) { transportStartProcessing(dossierCode: $c, idempotencyKey: "resilience-e2e-1") { status } }`, { c: code });
    r.hop.fault = 'pass';
    expect(r.hop.calls.mutations).toBe(1);
    expect(res.data).toBeNull();
    expect(res.errors).toEqual([
      {
        message: 'the system of department SGTVT did not answer; repeat the mutation with the same idempotencyKey: it is applied once',
        path: ['transportStartProcessing'],
        extensions: { code: 'UNAVAILABLE', subgraph: 'transport', departmentCode: 'SGTVT', requestId: expect.any(String) },
      },
    ]);
  });

  it('and the connection is reset under a mutation, then it is not sent again either', async () => {
    const code = await codeOf('transport');
    r.hop.fault = 'reset';
    const before = r.hop.calls.mutations;
    const res = await r.query(`mutation($c: String!) { transportStartProcessing(dossierCode: $c, idempotencyKey: "resilience-e2e-2") { status } }`, { c: code });
    r.hop.fault = 'pass';
    expect(r.hop.calls.mutations - before).toBe(1);
    expect(res.errors.map((e: any) => [e.path, e.extensions.code])).toEqual([[['transportStartProcessing'], 'UNAVAILABLE']]);
  });
});

describe('when the request deadline is nearly spent by an earlier call', () => {
  let r: Rig;
  beforeAll(async () => {
    // Of a 3 s deadline, intake takes 2.5 s; transport is frozen, with a timeout of its own of 30 s.
    r = await rig(['transport', 'intake'], { deadlineMs: 3_000, queryTimeoutMs: 30_000, circuitFailures: 1000 });
  });
  afterAll(() => r.close());

  it('then the later call gets only the rest of it, and the answer comes at the deadline with what arrived', async () => {
    const code = await codeOf('transport');
    r.hops.intake.delayMs = 2_500;
    r.hops.transport.fault = 'freeze';
    const started = performance.now();
    const res = await r.query(`query($c: String!) { dossier(code: $c) { code processing { status } } }`, { c: code });
    const ms = performance.now() - started;
    r.hops.intake.delayMs = 0;
    r.hops.transport.fault = 'pass';
    expect(res.data.dossier).toEqual({ code, processing: null });
    expect(res.errors.map((e: any) => [e.path, e.extensions.code, e.extensions.subgraph])).toEqual([[['dossier', 'processing'], 'UNAVAILABLE', 'transport']]);
    // About 0.5 s was left for it: never the whole deadline, let alone its own 30 s.
    const held = await until('the held call to be let go', () => r.hops.transport.heldMs[0]);
    expect(held).toBeLessThan(1_500);
    expect(ms).toBeGreaterThanOrEqual(2_900);
    expect(ms).toBeLessThan(4_500);
  });
});
