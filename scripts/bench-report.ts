import 'reflect-metadata';
import { devHandoverPrivateKey, devHandoverPublicKey } from '../subgraphs/kit/messaging/handover.keys';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { developmentToken } from '../gateway/auth';
import { createGateway } from '../gateway/gateway';
import { ChildProcess, fork } from 'node:child_process';
import { createServer, AddressInfo } from 'node:net';
import { Client } from 'pg';
import { Pool } from 'undici';
import { Config, devSigningSecret, loadConfig, requireDatabaseUrl } from '../subgraphs/kit/config';
import { createLogger } from '../subgraphs/kit/logger';
import { PROJECT_ROOT } from '../subgraphs/kit/paths';
import { createSubgraphServer, SubgraphServer } from '../subgraphs/kit/server';
import { envPrefix, SUBGRAPHS } from '../subgraphs/registry';
import { stopChildren, waitForHealth } from './processes';
import { cpuSeconds, postgresCpuSeconds } from '../bench/gateway/process.cpu';

/**
 * npm run bench:report [-- --month 2025-11 --runs 50 --in-process --no-paging --closed --label L]: the one-month report
 * through the gateway, subgraphs included, on whatever the configured databases hold (seed them with npm run
 * seed -- --dossiers N), against the same figures computed by paging the month's dossiers through the graph.
 * By default each subgraph and the gateway run as their own process, as deployed; --in-process runs them all
 * in this one. --closed closes the month first (closeReportPeriod, for good) and waits until every system answers
 * from its snapshots: the report over a closed month, which the gateway keeps (gateway/report-cache). Appends a row
 * to bench/README.md. With BENCH_CPU_PROF=<dir>, each process runs under `node --cpu-prof` and writes its profile to
 * <dir>/<process> when the bench stops it.
 */
async function main(): Promise<void> {
  const arg = (name: string, fallback: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : fallback;
  };
  const month = arg('month', '2025-11');
  const runs = Number(arg('runs', '50'));
  const inProcess = process.argv.includes('--in-process');
  const closeFirst = process.argv.includes('--closed');
  const config = loadConfig();
  const system = inProcess ? await startInProcess(config) : await startProcesses(config);
  const url = system.url;
  const token = await developmentToken(loadConfig({}).auth, { subject: 'bench', role: 'REPORT_BUILDER' });
  // A keep-alive client that costs little itself, so the figures are the system's (wrk-like, not a browser).
  const client = new Pool(new URL(url).origin, { connections: 4 });
  const path = new URL(url).pathname;
  const post = async (query: string, variables: Record<string, unknown>) => {
    const res = await client.request({ method: 'POST', path, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
    const body = (await res.body.json()) as { data?: any; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors).slice(0, 300));
    return body.data;
  };
  const [y, m] = month.split('-').map(Number);
  const from = `${month}-01`;
  const to = `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
  const REPORT = `query($from: Date!, $to: Date!) { report(from: $from, to: $to) { carriedOver received { total online direct postal }
    resolved { total early onTime late } withdrawn returnedByPost inProcess { total overdue } balanced published
    byDepartment { department { code } resolved { total } inProcess { total } } } }`;
  if (closeFirst) {
    // A month is closed once, for good: a later open-month run wants another month, or a fresh seed.
    const admin = await developmentToken(loadConfig({}).auth, { subject: 'bench', role: 'CENTRE_STAFF' });
    const res = await client.request({ method: 'POST', path, headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ query: 'mutation($m: String!) { closeReportPeriod(month: $m) { month } }', variables: { m: month } }) });
    const body = (await res.body.json()) as { errors?: { extensions?: { code?: string } }[] };
    if (body.errors && body.errors[0]?.extensions?.code !== 'CONFLICT') throw new Error(`closing ${month}: ${JSON.stringify(body.errors).slice(0, 300)}`);
    console.log(body.errors ? `${month} was closed already` : `${month} closed`);
    // Each department system freezes its part when the register's message arrives: wait until the report says so.
    for (let i = 0; !(await post(REPORT, { from, to })).report.published; i++) {
      if (i > 300) throw new Error(`${month}: not every system has frozen its part after 30 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const intake = new Client({ connectionString: requireDatabaseUrl(config, 'intake') });
  await intake.connect();
  const [{ n: dossiers }] = (await intake.query('SELECT count(*)::int AS n FROM dossier')).rows;
  await intake.end();

  // The system's CPU (our processes, or this one, less the client's share, which is small; and PostgreSQL's).
  const databases = SUBGRAPHS.map((s) => new URL(requireDatabaseUrl(config, s.name)).pathname.slice(1));
  const prefix = databases.reduce((a, b) => { let i = 0; while (i < a.length && a[i] === b[i]) i++; return a.slice(0, i); });
  const cpuNow = () => ({ node: system.cpuSeconds(), postgres: postgresCpuSeconds(prefix).total });
  const measure = async (query: string) => {
    // Warm, as a running service is: V8 optimises the hot paths and each pool holds its connections.
    for (let i = 0; i < 300; i++) await post(query, { from, to });
    const times: number[] = [];
    let data: any;
    const before = cpuNow();
    for (let i = 0; i < runs; i++) {
      const t = process.hrtime.bigint();
      data = await post(query, { from, to });
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const after = cpuNow();
    times.sort((a, b) => a - b);
    const cpu = `CPU a request: ${((1000 * (after.node - before.node)) / runs).toFixed(2)} ms Node, ${((1000 * (after.postgres - before.postgres)) / runs).toFixed(2)} ms PostgreSQL`;
    return { data, cpu, q: (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)] };
  };
  // Where the time goes: the gateway alone, one hop that reads nothing, then the report.
  for (const [label, query] of [
    ['gateway alone', '{ __typename }'],
    ['one hop, no SQL', 'query($from: Date!, $to: Date!) { report(from: $from, to: $to) { from } }'],
  ]) {
    const { q: lq, cpu } = await measure(query);
    console.log(`${label.padEnd(16)} p50 ${lq(0.5).toFixed(1)} ms, p95 ${lq(0.95).toFixed(1)} ms; ${cpu}`);
  }
  const { data, q, cpu } = await measure(REPORT);
  console.log(`${'report'.padEnd(16)} p50 ${q(0.5).toFixed(1)} ms, p95 ${q(0.95).toFixed(1)} ms; ${cpu}`);
  const report = data.report;

  // The spreadsheet way: page every dossier received or decided in the month through the graph and count.
  const PAGE = `query($f: DossierFilter, $after: String) { dossiers(filter: $f, first: 100, after: $after) {
    edges { node { receivedAt channel processing { decidedAt dueAt } } } pageInfo { hasNextPage endCursor } } }`;
  const staff = await developmentToken(loadConfig({}).auth, { subject: 'bench', role: 'CENTRE_STAFF' });
  const pageAll = async () => {
    let after: string | null = null;
    let seen = 0;
    do {
      const res = await client.request({ method: 'POST', path, headers: { 'content-type': 'application/json', authorization: `Bearer ${staff}` },
        body: JSON.stringify({ query: PAGE, variables: { f: { receivedFrom: `${from}T00:00:00+07:00`, receivedTo: `${to}T23:59:59+07:00` }, after } }) });
      const body = (await res.body.json()) as { data: { dossiers: { edges: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string } } } };
      const page = body.data.dossiers;
      seen += page.edges.length;
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    return seen;
  };
  const t0 = process.hrtime.bigint();
  const skipPaging = process.argv.includes('--no-paging');
  const paged = skipPaging ? 0 : await pageAll();
  const pagingMs = Number(process.hrtime.bigint() - t0) / 1e6;

  await client.close();
  await system.close();

  const line = `| ${new Date().toISOString().slice(0, 10)} | ${dossiers.toLocaleString('en-GB')} | ${month} | ${runs} | ${q(0.5).toFixed(1)} | ${q(0.95).toFixed(1)} | ${q(1).toFixed(1)} | ${skipPaging ? 'not run' : `${paged.toLocaleString('en-GB')} dossiers paged in ${(pagingMs / 1000).toFixed(1)} s (received only)`} | ${report.balanced ? 'yes' : 'no'} | ${inProcess ? 'one process' : 'a process each'}${report.published ? ', closed month' : ''} |`;
  console.log(`one-month report (${month}) on ${dossiers} dossiers: p50 ${q(0.5).toFixed(1)} ms, p95 ${q(0.95).toFixed(1)} ms; paging ${paged} dossiers: ${(pagingMs / 1000).toFixed(1)} s`);
  const file = join(PROJECT_ROOT, 'bench', 'README.md');
  const { readFile } = await import('node:fs/promises');
  // The new row goes at the end of the report's table (the file's first), before the notes below it.
  const lines = (await readFile(file, 'utf8').catch(() => '')).split('\n');
  let last = lines.findIndex((l) => l.startsWith('| date | dossiers |'));
  if (last < 0) throw new Error(`${file} has no report table ("| date | dossiers |") to add a row to`);
  while (lines[last + 1]?.startsWith('|')) last++;
  const label = [process.argv.includes('--label') ? arg('label', '') : '', cpu].filter(Boolean).join('; ');
  lines.splice(last + 1, 0, `${line} ${label} |`);
  await writeFile(file, lines.join('\n'));
}

interface Running {
  url: string;
  /** CPU seconds the system's Node processes have used so far. */
  cpuSeconds(): number;
  close(): Promise<void>;
}

async function startInProcess(config: Config): Promise<Running> {
  const log = createLogger('bench', 'silent');
  const urls: Record<string, string> = {};
  const servers: SubgraphServer[] = [];
  for (const s of SUBGRAPHS) {
    const server = await createSubgraphServer(await s.load(), {
      databaseUrl: requireDatabaseUrl(config, s.name),
      signingSecret: devSigningSecret(s.name),
      handoverPublicKeyOf: devHandoverPublicKey,
      peers: { baseUrl: () => undefined, privateKey: devHandoverPrivateKey },
      log,
    });
    urls[s.name] = (await server.listen(0)).url;
    servers.push(server);
  }
  const gateway = await createGateway({
    subgraphUrls: urls,
    signingSecrets: Object.fromEntries(SUBGRAPHS.map((s) => [s.name, devSigningSecret(s.name)])),
    auth: loadConfig({}).auth,
    log,
  });
  const { url } = await gateway.listen(0);
  return {
    url,
    cpuSeconds: () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1e6;
    },
    close: async () => {
      await gateway.close();
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}

/** Each subgraph and the gateway as its own process (dist/subgraphs/serve.js, dist/gateway/main.js), on free ports. */
async function startProcesses(config: Config): Promise<Running> {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', NODE_ENV: 'development' };
  const gatewayPort = await freePort();
  env.PORT = String(gatewayPort);
  for (const s of SUBGRAPHS) {
    const p = envPrefix(s.name);
    env[`${p}_PORT`] = String(await freePort());
    env[`${p}_URL`] = `http://127.0.0.1:${env[`${p}_PORT`]}/graphql`;
    env[`${p}_DATABASE_URL`] = requireDatabaseUrl(config, s.name);
  }
  const children: ChildProcess[] = [];
  const dist = join(__dirname, '..');
  const prof = (name: string) => (process.env.BENCH_CPU_PROF ? { execArgv: ['--cpu-prof', '--cpu-prof-dir', join(process.env.BENCH_CPU_PROF, name)] } : {});
  for (const s of SUBGRAPHS) children.push(fork(join(dist, 'subgraphs', 'serve.js'), [s.name], { env, ...prof(s.name) }));
  await Promise.all(SUBGRAPHS.map((s) => waitForHealth(`http://127.0.0.1:${env[`${envPrefix(s.name)}_PORT`]}/health`, 60_000)));
  children.push(fork(join(dist, 'gateway', 'main.js'), [], { env, ...prof('gateway') }));
  await waitForHealth(`http://127.0.0.1:${gatewayPort}/health`, 60_000);
  return {
    url: `http://127.0.0.1:${gatewayPort}/graphql`,
    cpuSeconds: () => children.reduce((n, c) => n + cpuSeconds(c.pid!), 0),
    close: () => stopChildren(children),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

main().catch((e) => {
  console.error(`bench: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
