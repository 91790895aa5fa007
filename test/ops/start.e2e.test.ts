import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { envPrefix, SUBGRAPHS } from '../../subgraphs/registry';
import { PROJECT_ROOT } from '../../subgraphs/kit/paths';
import { dropDatabases, testDatabaseUrls, uniquePrefix } from '../support/databases';
import { postGraphQL, STAFF, tokenFor } from '../support/system';
import { alive, freePort, until } from '../support/waiting';

/**
 * `npm start` as a user runs it, as real processes (node dist/scripts/start.js: build first), on its own
 * databases and ports: a subgraph killed with SIGKILL comes back while the rest keep serving; SIGINT stops it all.
 */
const START = join(__dirname, '../../dist/scripts/start.js');
const prefix = uniquePrefix('start');
const DOSSIER = '000.00.16.H56-200401-0001';

let start: ChildProcess;
let stdout = '';
let stderr = '';
let env: NodeJS.ProcessEnv;
let gateway = '';
const subgraphUrls: Record<string, string> = {};
const seen = new Set<number>();

/** The supervisor's children, by the subgraph they serve ('gateway' for the gateway). */
function children(): Record<string, number> {
  const lines = execFileSync('ps', ['--ppid', String(start.pid), '-o', 'pid=,args='], { encoding: 'utf8' }).trim().split('\n');
  const found: Record<string, number> = {};
  for (const line of lines) {
    const m = line.trim().match(/^(\d+) .*?(?:subgraphs\/serve\.js (\S+)|(gateway)\/main\.js)$/);
    if (m) found[m[2] ?? m[3]] = Number(m[1]);
  }
  for (const pid of Object.values(found)) seen.add(pid);
  return found;
}

function launch(): void {
  stdout = '';
  stderr = '';
  start = spawn(process.execPath, [START, '--no-demo'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  start.stdout!.on('data', (d) => (stdout += d));
  start.stderr!.on('data', (d) => (stderr += d));
}

const stderrLines = () => stderr.split('\n').filter((l) => l.trim());

beforeAll(async () => {
  if (!existsSync(START)) throw new Error(`${START} is missing: run npm run -s build first`);
  env = { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(await freePort()) };
  for (const key of ['DATABASE_URL', 'METRICS_PORT', 'OTEL_EXPORTER_OTLP_ENDPOINT']) delete env[key];
  const urls = testDatabaseUrls(prefix);
  for (const s of SUBGRAPHS) {
    const p = envPrefix(s.name);
    const port = await freePort();
    env[`${p}_PORT`] = String(port);
    env[`${p}_DATABASE_URL`] = urls[s.name];
    delete env[`${p}_URL`];
    subgraphUrls[s.name] = `http://127.0.0.1:${port}`;
  }
  gateway = `http://127.0.0.1:${env.PORT}/graphql`;
  launch();
  await until('npm start to say it is up', () => stdout.includes('motcua-graph is up') || start.exitCode !== null, 120_000);
  expect({ exit: start.exitCode, stderr }).toEqual({ exit: null, stderr: '' });
}, 150_000);

afterAll(async () => {
  if (start && start.exitCode === null && start.signalCode === null) start.kill('SIGKILL');
  for (const pid of seen) if (alive(pid)) process.kill(pid, 'SIGKILL');
  await dropDatabases(prefix);
});

describe('npm start', () => {
  it('when a subgraph is killed, then the others keep answering, it serves again within 30 s, and one line says it restarted', async () => {
    const before = children();
    expect(Object.keys(before).sort()).toEqual([...SUBGRAPHS.map((s) => s.name), 'gateway'].sort());
    const token = await tokenFor(STAFF);
    const departments = () => postGraphQL(gateway, '{ departments { code } }');
    const transport = () => postGraphQL(gateway, `{ transportProcessing(dossierCode: "${DOSSIER}") { status } }`, undefined, token);
    expect(await transport()).toEqual({ data: { transportProcessing: null } });

    process.kill(before.transport, 'SIGKILL');
    const othersFailed: unknown[] = [];
    let transportWasDown = false;
    await until('transport to answer through the gateway again', async () => {
      const other = await departments();
      if (other.errors || !Array.isArray(other.data?.departments)) othersFailed.push(other);
      const answer = await transport();
      if (answer.errors) transportWasDown = true;
      return transportWasDown && !answer.errors && answer.data?.transportProcessing === null;
    }, 30_000);

    expect(othersFailed).toEqual([]);
    expect(transportWasDown).toBe(true);
    expect((await fetch(`${subgraphUrls.transport}/readiness`)).status).toBe(200);
    const after = children();
    expect(after.transport).not.toBe(before.transport);
    expect(Object.entries(after).filter(([name, pid]) => name !== 'transport' && pid !== before[name])).toEqual([]);
    expect(stderrLines()).toEqual([
      expect.stringMatching(new RegExp(`^transport \\(pid ${before.transport}\\) exited \\(SIGKILL\\) after \\d+(\\.\\d)? s; restarting it in 1\\.0 s$`)),
    ]);
    await until('the supervisor to say transport serves again', () => stdout.includes(`transport is serving again (pid ${after.transport})`));
  });

  it('when it is up, then it says where the dashboard is and the gateway serves it with the persisted documents it was built with', async () => {
    const dashboard = gateway.replace(/\/graphql$/, '/dashboard/');
    expect(stdout).toContain(`the report builders' dashboard: ${dashboard}`);
    const page = await fetch(dashboard);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const script = /src="(\/dashboard\/assets\/[^"]+\.js)"/.exec(await page.text())![1];
    expect((await fetch(new URL(script, dashboard))).status).toBe(200);
    const manifest: Record<string, string> = JSON.parse(readFileSync(join(PROJECT_ROOT, 'dashboard', 'src', 'gql', 'persisted-documents.json'), 'utf8'));
    const [id] = Object.keys(manifest).filter((k) => manifest[k].startsWith('query DashboardDepartments'));
    const answer = await fetch(gateway, { method: 'POST', headers: { 'content-type': 'application/json', 'x-graphql-client-name': 'motcua-dashboard' }, body: JSON.stringify({ documentId: id }) });
    // Started with --no-demo: no departments yet, but the document the id names ran.
    expect(await answer.json()).toEqual({ data: { departments: [] } });
  });

  it('when it gets SIGINT, then every process stops, it exits 0, and no error line is written', async () => {
    const pids = Object.values(children());
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => start.once('exit', (code, signal) => resolve([code, signal])));
    start.kill('SIGINT');

    expect(await exited).toEqual([0, null]);
    expect(pids).toHaveLength(SUBGRAPHS.length + 1);
    expect([...seen].filter(alive)).toEqual([]);
    expect(stderrLines()).toHaveLength(1);
    expect(stderrLines()[0]).toMatch(/^transport \(pid \d+\) exited \(SIGKILL\)/);
    await expect(fetch(gateway)).rejects.toThrow();
  });

  it('when a service cannot start (its port is taken), then everything stops with exit 1 and a line naming it', async () => {
    const port = Number(new URL(gateway).port);
    const squatter = createServer().listen(port, '127.0.0.1');
    await once(squatter, 'listening');
    try {
      launch();
      const [code] = (await once(start, 'exit')) as [number | null];

      expect(code).toBe(1);
      expect(stderrLines().at(-1)).toBe('start: gateway exited (code 1) before it was ready; stopping everything');
      expect(stderrLines().filter((l) => /EADDRINUSE/.test(l))).toHaveLength(1);
      expect(stdout).not.toContain('motcua-graph is up');
      const listening = await Promise.all(Object.entries(subgraphUrls).map(([name, url]) => fetch(`${url}/healthcheck`).then(() => name, () => undefined)));
      expect(listening.filter(Boolean)).toEqual([]);
    } finally {
      squatter.close();
    }
  }, 120_000);
});
