import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { developmentToken } from '../gateway/auth';
import { loadConfig } from '../subgraphs/kit/config';
import { PROJECT_ROOT } from '../subgraphs/kit/paths';
import { runLoad } from '../bench/gateway/load.client';
import { rssBytes } from '../bench/gateway/process.cpu';
import { codeState, machine } from '../bench/gateway/results.report';
import { BenchSystem, benchDatabaseUrls, dropDatabases, postgresVersion, seedDatabases, startSystem } from '../bench/gateway/system.launcher';
import { WORKLOADS } from '../bench/gateway/workloads';
import { runMain, stopOnSignals } from './processes';

/**
 * npm run bench:soak [-- --minutes 10 --connections 16 --callers 1000 --every 5]
 *
 * Whether the gateway's memory stays flat under full load: the `npm start` layout on fresh demo databases of its
 * own, the page and the dossier of bench:gateway sent in turn on every connection, one request in flight on each
 * at all times, each request from the next of `--callers` CENTRE_STAFF callers (callers that come and go, so state
 * kept per caller shows as growth), for `--minutes`. Every `--every` seconds the gateway's RSS (/proc) and V8 heap
 * (its /metrics) are sampled. A heap sample mixes live objects with garbage not yet collected, so the trend is read
 * on each minute's lowest heap (what survived the last collection) and highest RSS, fitted by least squares over
 * the minutes after the first (the caches fill in it). Writes a section at the end of bench/README.md's "Gateway memory soak".
 */
const CORES = { gateway: '1', rest: '0' };
const PREFIX = 'motcua_bench_soak';
const README = join(PROJECT_ROOT, 'bench', 'README.md');
const MB = 1024 * 1024;
/** The soak's results go at the end of its section, before this one. */
const NEXT_HEADING = '\n## Gateway and whole-system CPU\n';

interface Sample {
  at: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
}

async function heapOf(origin: string): Promise<{ used: number; total: number }> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const gauge = (name: string) => Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { used: gauge('nodejs_heap_size_used_bytes'), total: gauge('nodejs_heap_size_total_bytes') };
}

/** The least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx ? sxy / sxx : 0;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      minutes: { type: 'string', default: '10' },
      connections: { type: 'string', default: '16' },
      callers: { type: 'string', default: '1000' },
      every: { type: 'string', default: '5' },
    },
  });
  const minutes = Number(values.minutes);
  const connections = Number(values.connections);
  const callers = Number(values.callers);
  const every = Number(values.every);
  for (const [name, v] of Object.entries({ minutes, connections, callers, every })) {
    if (!(v > 0)) throw new Error(`--${name} must be a positive number`);
  }
  const code = codeState(PROJECT_ROOT);
  const config = loadConfig();
  const tokens = await Promise.all(Array.from({ length: callers }, (_, i) => developmentToken(config.auth, { subject: `bench-soak-${i + 1}`, role: 'CENTRE_STAFF' })));
  const urls = benchDatabaseUrls(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', PREFIX);
  let system: BenchSystem | undefined;
  stopOnSignals(() => [system, { stop: () => dropDatabases(urls) }]);
  try {
    console.log(`demo data stored in ${PREFIX}_*: ${await seedDatabases(urls)}`);
    system = await startSystem({ databaseUrls: urls, cores: CORES, peers: false });
    const [gateway] = system.gateways;
    const origin = new URL(gateway.url).origin;
    const samples: Sample[] = [];
    const started = performance.now();
    const sample = async () => {
      const heap = await heapOf(origin);
      samples.push({ at: (performance.now() - started) / 1000, rss: rssBytes(gateway.pid), heapUsed: heap.used, heapTotal: heap.total });
      const last = samples[samples.length - 1];
      if (samples.length % Math.max(1, Math.round(60 / every)) === 0) {
        console.log(`${(last.at / 60).toFixed(1)} min: RSS ${(last.rss / MB).toFixed(0)} MB, heap ${(last.heapUsed / MB).toFixed(0)} of ${(last.heapTotal / MB).toFixed(0)} MB`);
      }
    };
    await sample();
    const timer = setInterval(() => void sample().catch((e) => console.error(`bench: a sample failed: ${e}`)), every * 1000);
    const load = await runLoad({
      url: gateway.url,
      body: WORKLOADS.map((w) => w.body),
      tokens,
      connections,
      warmupMs: 0,
      measureMs: minutes * 60_000,
      onWindow: () => undefined,
    }).finally(() => clearInterval(timer));

    const perMinute = Array.from({ length: Math.ceil(minutes) }, (_, m) => samples.filter((s) => s.at >= m * 60 && s.at < (m + 1) * 60)).filter((s) => s.length);
    const rows = perMinute.map((s, m) => ({
      minute: m + 1,
      heapFloor: Math.min(...s.map((x) => x.heapUsed)),
      heapPeak: Math.max(...s.map((x) => x.heapUsed)),
      rssPeak: Math.max(...s.map((x) => x.rss)),
    }));
    const fitted = rows.slice(1);
    const heapSlope = fitted.length > 1 ? slope(fitted.map((r) => [r.minute, r.heapFloor / MB])) : NaN;
    const rssSlope = fitted.length > 1 ? slope(fitted.map((r) => [r.minute, r.rssPeak / MB])) : NaN;
    const f0 = (n: number) => n.toFixed(0);
    const f2 = (n: number) => (Number.isNaN(n) ? 'n/a' : n.toFixed(2));
    const section = [
      `#### ${new Date().toISOString().slice(0, 10)}`,
      `${machine(await postgresVersion(urls.intake))}; ${code}. ${minutes} minutes, ${connections} connections, the page and the dossier in turn, ${callers} callers in turn; gateway on core ${CORES.gateway}, subgraphs and the load client on core ${CORES.rest}; a sample every ${every} s.`,
      `${load.answered.toLocaleString('en-GB')} requests answered (${f0(load.answered / (minutes * 60))} a second), ${load.errors} errors${load.firstError ? ` (the first: ${load.firstError.slice(0, 200)})` : ''}.`,
      ['| minute | heap floor MB | heap peak MB | RSS peak MB |', '|---|---|---|---|', ...rows.map((r) => `| ${r.minute} | ${f0(r.heapFloor / MB)} | ${f0(r.heapPeak / MB)} | ${f0(r.rssPeak / MB)} |`)].join('\n'),
      `Trend over minutes 2–${rows.length} (least squares): heap floor ${f2(heapSlope)} MB a minute, RSS peak ${f2(rssSlope)} MB a minute.`,
    ].join('\n\n');
    console.log(`\n${section}\n`);
    const text = readFileSync(README, 'utf8');
    const at = text.indexOf(NEXT_HEADING);
    if (at < 0) throw new Error(`${README} has no "${NEXT_HEADING.trim()}" heading to write before`);
    writeFileSync(README, `${text.slice(0, at).trimEnd()}\n\n${section}\n${text.slice(at)}`);
  } finally {
    await system?.stop();
    await dropDatabases(urls);
  }
}

runMain('bench', main);
