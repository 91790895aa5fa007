import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { envPrefix, SUBGRAPHS } from '../../subgraphs/registry';
import { demoDatabaseUrls, postGraphQL, RunningSubgraph, STAFF, startSubgraph, testPeers, tokenFor } from '../support/system';
import { freePort, until } from '../support/waiting';

/**
 * The gateway and the transport system as their own processes (node dist/…: build first), configured only by the
 * environment; transport is stopped with SIGSTOP (its socket still accepts, nothing answers) and resumed with SIGCONT.
 */
const ROOT = join(__dirname, '..', '..');
const GATEWAY = join(ROOT, 'dist/gateway/main.js');
const SERVE = join(ROOT, 'dist/subgraphs/serve.js');

let subgraphs: Record<string, RunningSubgraph>;
let transport: ChildProcess;
let gateway: ChildProcess;
let gatewayUrl: string;
let gatewayOut = '';
let staff: string;
let code: string;

function spawnService(script: string, args: string[], env: NodeJS.ProcessEnv, out?: (d: string) => void): ChildProcess {
  const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => out?.(String(d)));
  child.stderr!.on('data', (d) => out?.(String(d)));
  return child;
}

const running = (c?: ChildProcess) => !!c && c.exitCode === null && c.signalCode === null;

beforeAll(async () => {
  for (const script of [GATEWAY, SERVE]) if (!existsSync(script)) throw new Error(`${script} is missing: run npm run -s build first`);
  const urls = demoDatabaseUrls();
  const peers = testPeers();
  subgraphs = {};
  for (const s of SUBGRAPHS.filter((s) => s.name !== 'transport')) subgraphs[s.name] = await startSubgraph(s.name, urls[s.name], undefined, peers);
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, NODE_ENV: 'development', LOG_LEVEL: 'info', HOST: '127.0.0.1', APOLLO_TELEMETRY_DISABLED: '1' };
  const transportPort = await freePort();
  for (const [name, s] of Object.entries(subgraphs)) base[`${envPrefix(name)}_URL`] = s.url;
  base.TRANSPORT_URL = `http://127.0.0.1:${transportPort}/graphql`;
  peers.urls.transport = `http://127.0.0.1:${transportPort}`;

  transport = spawnService(SERVE, ['transport'], { ...base, LOG_LEVEL: 'warn', TRANSPORT_PORT: String(transportPort), TRANSPORT_DATABASE_URL: urls.transport });
  await until('transport ready', async () => (await fetch(`http://127.0.0.1:${transportPort}/readiness`)).ok, 30_000);

  const port = await freePort();
  gateway = spawnService(
    GATEWAY,
    [],
    { ...base, PORT: String(port), TRANSPORT_TIMEOUT_MS: '1000', REQUEST_DEADLINE_MS: '5000', CIRCUIT_FAILURES: '2', CIRCUIT_HALF_OPEN_AFTER_MS: '500', SUBGRAPH_RETRIES: '1' },
    (d) => (gatewayOut += d),
  );
  gatewayUrl = `http://127.0.0.1:${port}/graphql`;
  await until('the gateway ready', async () => (await fetch(`http://127.0.0.1:${port}/readiness`)).ok, 30_000);
  staff = await tokenFor(STAFF);
  [{ code }] = await subgraphs.intake.server.db.query(`SELECT code FROM dossier WHERE processing_system = 'transport' ORDER BY code LIMIT 1`);
});

afterAll(async () => {
  if (running(transport)) transport.kill('SIGCONT');
  for (const child of [gateway, transport]) if (running(child)) child.kill('SIGKILL');
  await Promise.all(Object.values(subgraphs ?? {}).map((s) => s.server.close()));
});

const QUERY = `query($c: String!) { dossier(code: $c) { code channel department { code } processing { __typename status } } }`;
const circuitOpen = async () => {
  const text = await (await fetch(gatewayUrl.replace(/\/graphql$/, '/metrics'))).text();
  const line = text.split('\n').find((l) => l.startsWith('motcua_subgraph_circuit_open{') && l.includes('subgraph="transport"'));
  return line && Number(line.split(' ').at(-1));
};

it('when the transport process is stopped (SIGSTOP), then dossiers answer at its 1 s timeout with everything but its processing, its circuit opens after 2 failures, and when it resumes (SIGCONT) the circuit closes and its processing answers again', async () => {
  const whole = await postGraphQL(gatewayUrl, QUERY, { c: code }, staff);
  expect(whole.errors).toBeUndefined();
  expect(await circuitOpen()).toBe(0);

  transport.kill('SIGSTOP');
  for (let i = 0; i < 2; i++) {
    const started = performance.now();
    const res = await postGraphQL(gatewayUrl, QUERY, { c: code }, staff);
    // The 1 s of TRANSPORT_TIMEOUT_MS, not the 10 s default nor the 5 s deadline.
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(res.data.dossier).toEqual({ ...whole.data.dossier, processing: null });
    expect(res.errors.map((e: any) => [e.path, e.extensions.code, e.extensions.subgraph, e.extensions.departmentCode])).toEqual([[['dossier', 'processing'], 'UNAVAILABLE', 'transport', 'SGTVT']]);
  }
  expect(await circuitOpen()).toBe(1);

  transport.kill('SIGCONT');
  const back = await until('transport answering through the gateway', async () => {
    const res = await postGraphQL(gatewayUrl, QUERY, { c: code }, staff);
    return res.errors ? undefined : res;
  }, 15_000);
  expect(back.data).toEqual(whole.data);
  expect(await circuitOpen()).toBe(0);
  const circuit = gatewayOut.split('\n').filter((l) => l.includes('"msg":"circuit'));
  expect(circuit.map((l) => JSON.parse(l).msg)).toEqual(['circuit opened: calls to the subgraph fail at once', 'circuit closed: the subgraph answers again']);
});
