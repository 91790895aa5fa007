import { ChildProcess, spawn } from 'node:child_process';
import { createServer as createNetServer, connect, Server as NetServer, AddressInfo } from 'node:net';
import { request } from 'node:http';
import { join } from 'node:path';
import { envPrefix, SUBGRAPHS } from '../../subgraphs/registry';
import { startSystem, TestSystem, tokenFor, STAFF } from '../support/system';
import { freePort, until } from '../support/waiting';

const ROOT = join(__dirname, '..', '..');

/** Forwards to `target`, holding every answer back `delayMs`: calls that take long enough to be caught in flight. */
function slowProxy(target: number, delayMs: number): Promise<{ server: NetServer; port: number; calls: () => number }> {
  let calls = 0;
  const server = createNetServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    client.on('data', (d) => {
      if (d.includes('POST /graphql')) calls++;
      upstream.write(d);
    });
    upstream.on('data', (d) => setTimeout(() => client.writable && client.write(d), delayMs));
    const end = () => setTimeout(() => client.destroy(), delayMs);
    upstream.on('close', end);
    upstream.on('error', end);
    client.on('close', () => upstream.destroy());
    client.on('error', () => upstream.destroy());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, calls: () => calls })));
}

/**
 * One call on a connection of its own, as a client arriving through the drain makes it: 'ok', 'refused' when the
 * connection was refused or reset before a byte of answer came back (one still in the kernel's accept queue when
 * the listener closes is reset: refused at connect as surely as ECONNREFUSED), or what went wrong otherwise.
 */
function freshCall(port: number, token: string, query: string): Promise<'ok' | 'refused' | string> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', agent: false, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('error', (e: NodeJS.ErrnoException) => resolve(`failed mid-answer: ${e.code ?? e.message}`));
      res.on('end', () => resolve(res.statusCode === 200 && JSON.parse(text).data?.__typename === 'Query' ? 'ok' : `status ${res.statusCode}`));
    });
    req.on('error', (e: NodeJS.ErrnoException) =>
      resolve((e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET') && !req.socket?.bytesRead ? 'refused' : `failed: ${e.code ?? e.message}`),
    );
    req.end(JSON.stringify({ query }));
  });
}

describe('the gateway as its own process', () => {
  let system: TestSystem;
  let proxy: Awaited<ReturnType<typeof slowProxy>>;
  let gateway: ChildProcess;
  let port: number;
  let metricsPort: number;
  let stderr = '';
  let stdout = '';

  beforeAll(async () => {
    system = await startSystem();
    proxy = await slowProxy(Number(new URL(system.subgraphs.intake.url).port), 800);
    [port, metricsPort] = [await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      DRAIN_TIMEOUT_MS: '10000',
      DRAIN_GRACE_MS: '1500',
      APOLLO_TELEMETRY_DISABLED: '1',
    };
    for (const s of SUBGRAPHS) env[`${envPrefix(s.name)}_URL`] = s.name === 'intake' ? `http://127.0.0.1:${proxy.port}/graphql` : system.subgraphs[s.name].url;
    gateway = spawn(process.execPath, [join(ROOT, 'dist/gateway/main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    gateway.stdout!.on('data', (d) => (stdout += d));
    gateway.stderr!.on('data', (d) => (stderr += d));
    await until('the gateway ready', async () => ((await fetch(`http://127.0.0.1:${port}/readiness`)).ok ? true : undefined));
  });

  afterAll(async () => {
    if (gateway.exitCode === null && gateway.signalCode === null) gateway.kill('SIGKILL');
    proxy?.server.close();
    await system?.close();
  });

  it('when METRICS_PORT is set, then /metrics is served there with the process metrics, and not on the public port', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(text).toMatch(/^process_cpu_user_seconds_total\{service="gateway"\} \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds\{service="gateway"\} /m);
    expect(text).toContain('# TYPE motcua_graphql_requests_total counter');
  });

  it('when SIGTERM arrives with requests in flight, then readiness turns 503, every one of them is answered, requests keep being served through the grace and are refused, never cut, after it, and the process exits 0', async () => {
    const token = await tokenFor(STAFF);
    const before = proxy.calls();
    const inFlight = Array.from({ length: 12 }, (_, i) =>
      fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: `query InFlight${i} { departments { code } }` }),
      }).then(async (r) => ({ status: r.status, body: await r.json() })),
    );
    await until('all twelve calls held at intake', async () => (proxy.calls() - before >= 12 ? true : undefined));
    let exitedYet = false;
    const exited = new Promise<number | null>((resolve) => gateway.once('exit', (code) => ((exitedYet = true), resolve(code))));
    gateway.kill('SIGTERM');
    // A client that goes on sending through the drain, as a load balancer's traffic does until it sees the probe.
    const during: ('ok' | 'refused' | string)[] = [];
    const load = (async () => {
      for (let i = 0; !exitedYet; i++) {
        during.push(await freshCall(port, token, `query During${i} { __typename }`));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const readiness = await until('readiness 503', async () => {
      const r = await fetch(`http://127.0.0.1:${port}/readiness`);
      return r.status === 503 ? await r.json() : undefined;
    });
    expect(readiness).toEqual({ status: 'unavailable', service: 'gateway', reason: 'draining' });
    const answers = await Promise.all(inFlight);
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.body.errors).toBeUndefined();
      expect(a.body.data.departments.length).toBeGreaterThan(0);
    }
    expect(await exited).toBe(0);
    await load;
    // Accepted while the grace lasts, refused (never cut off, never failed) once the listener has closed.
    const firstRefused = during.indexOf('refused');
    expect(during.filter((o) => o !== 'ok' && o !== 'refused')).toEqual([]);
    expect(during.slice(0, firstRefused < 0 ? during.length : firstRefused).length).toBeGreaterThan(5);
    expect(firstRefused < 0 ? [] : during.slice(firstRefused).filter((o) => o === 'ok')).toEqual([]);
    expect(stderr).toBe('');
    expect(stdout).not.toMatch(/"level":(50|60)/);
  });
});
