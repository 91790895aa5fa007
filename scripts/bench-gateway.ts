import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { developmentToken } from '../gateway/auth';
import { loadConfig } from '../subgraphs/kit/config';
import { PROJECT_ROOT } from '../subgraphs/kit/paths';
import { SUBGRAPHS } from '../subgraphs/registry';
import { readProfile, topFrames } from '../bench/gateway/cpu-profile.aggregate';
import { runLoad } from '../bench/gateway/load.client';
import { cpuSeconds, machineBusySeconds, postgresCpuSeconds, rssBytes } from '../bench/gateway/process.cpu';
import { codeState, machine, PARTS, profileTables, Round, roundLine, Settings, settingsLine, workloadTables, writeSection } from '../bench/gateway/results.report';
import { BenchSystem, benchDatabaseUrls, dropDatabases, Gateway, GATEWAY_TITLES, postgresVersion, seedDatabases, startSystem } from '../bench/gateway/system.launcher';
import { Workload, WORKLOADS } from '../bench/gateway/workloads';
import { runMain, stopOnSignals } from './processes';

/**
 * npm run bench:gateway [-- --rounds 3 --warmup 3 --seconds 10 --connections 16 --callers one|each] [--quick] [--profile]
 *
 * What a request costs our gateway beside the routers a province could run instead (stock @apollo/gateway, Hive
 * Gateway with its JavaScript and its Rust planner), on the same subgraphs, supergraph and signing, and what it
 * costs the whole system: the `npm start` layout on fresh demo databases of its own. Every gateway must first give
 * the same data for each workload. Then, for each set of callers (both unless --callers), workload and round, each
 * gateway in turn carries the load alone while the CPU time of every process is read from /proc at the edges of the
 * measured window.
 *
 * Cores: the gateways run on core 1, one at a time under load; the subgraphs and this process (the load client)
 * on core 0; PostgreSQL, the machine's own server (not the bench's to pin), where the kernel puts it. So the gateway
 * under test has a core to itself but for PostgreSQL's share, and the subgraphs never take it from it.
 *
 * --quick: one short round, for a smoke run; nothing written. --profile: one round of the page on our gateway alone,
 * with each of our processes under `node --cpu-prof` (a caller a connection unless --callers one), and the top frames
 * by self time of each.
 */
const CORES = { gateway: '1', rest: '0' };
const PREFIX = 'motcua_bench_gateway';
const README = join(PROJECT_ROOT, 'bench', 'README.md');
const TOP_FRAMES = 15;

/**
 * Who sends the load. `one`: a single CENTRE_STAFF caller on every connection, as the issue measures it; identical
 * requests in flight at once are then merged by the gateways that dedupe (ours and Hive, per caller), so the figures
 * show that merging as much as the cost of a request. `each`: a CENTRE_STAFF caller of its own on each connection,
 * whose one request in flight shares nothing with another's: what a request costs.
 */
const CALLERS = {
  one: 'one caller on all connections',
  each: 'a caller of its own on each connection',
} as const;
type Callers = keyof typeof CALLERS;

function settingsFrom(argv: string[]): Settings & { quick: boolean; profile: boolean; callers: Callers[] } {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '3' },
      seconds: { type: 'string', default: '10' },
      connections: { type: 'string', default: '16' },
      quick: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      callers: { type: 'string' },
    },
  });
  const callers = values.callers;
  if (callers !== undefined && !(callers in CALLERS)) throw new Error(`--callers must be ${Object.keys(CALLERS).join(' or ')}, not "${callers}"`);
  const number = (name: 'rounds' | 'warmup' | 'seconds' | 'connections') => {
    const n = Number(values[name]);
    if (!(n > 0)) throw new Error(`--${name} must be a positive number, not "${values[name]}"`);
    return n;
  };
  const quick = values.quick!;
  return {
    rounds: quick ? 1 : number('rounds'),
    warmup: quick ? 1 : number('warmup'),
    seconds: quick ? 2 : number('seconds'),
    connections: number('connections'),
    quick,
    profile: values.profile!,
    // A profile is of what a request costs, nothing merged, unless asked otherwise.
    callers: callers ? [callers as Callers] : values.profile ? ['each'] : ['one', 'each'],
  };
}

async function post(url: string, body: string, token: string): Promise<{ status: number; answer: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
  return { status: res.status, answer: await res.json() };
}

/** Where two answers first part: the path and both values. */
function firstDifference(a: any, b: any, path = 'data'): string {
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (!isDeepStrictEqual(a[key], b[key])) return firstDifference(a[key], b[key], `${path}.${key}`);
    }
  }
  return `${path}: ${JSON.stringify(a)?.slice(0, 200)} against ${JSON.stringify(b)?.slice(0, 200)}`;
}

/** Each workload asked of each gateway once: the same data from all, without errors, or the bench stops here. */
async function sameAnswers(gateways: Gateway[], token: string): Promise<string[]> {
  const lines: string[] = [];
  for (const w of WORKLOADS) {
    const answers = await Promise.all(gateways.map((g) => post(g.url, w.body, token)));
    answers.forEach(({ status, answer }, i) => {
      if (status !== 200 || answer.errors) throw new Error(`${GATEWAY_TITLES[gateways[i].key]} answers ${w.key} with ${status}: ${JSON.stringify(answer.errors ?? answer).slice(0, 500)}`);
      if (!isDeepStrictEqual(answer.data, answers[0].answer.data)) {
        throw new Error(`${GATEWAY_TITLES[gateways[i].key]} answers ${w.key} unlike ours, first at ${firstDifference(answers[0].answer.data, answer.data)}`);
      }
    });
    lines.push(`${w.title}: ${w.describe(answers[0].answer.data)}; the same data from ${gateways.map((g) => GATEWAY_TITLES[g.key]).join(', ')}`);
  }
  return lines;
}

interface Reading {
  at: number;
  cpu: Record<string, number>;
  postgresOthers: number;
  busy: number;
  client: number;
}

/** The CPU counters of the system's processes (the gateway given as `gateway`), PostgreSQL, the machine and this client. */
function readCpu(system: BenchSystem, gateway: Gateway): Reading {
  const postgres = postgresCpuSeconds(`${PREFIX}_`);
  const client = process.cpuUsage();
  const cpu: Record<string, number> = { gateway: cpuSeconds(gateway.pid), PostgreSQL: postgres.total };
  for (const p of system.subgraphs) cpu[p.name] = cpuSeconds(p.pid);
  return { at: performance.now(), cpu, postgresOthers: postgres.others, busy: machineBusySeconds(), client: (client.user + client.system) / 1e6 };
}

function between(open: Reading, close: Reading): Pick<Round, 'seconds' | 'cpu' | 'postgresOthers' | 'busy' | 'elsewhere'> {
  const cpu = Object.fromEntries(PARTS.map((p) => [p, close.cpu[p] - open.cpu[p]]));
  const busy = close.busy - open.busy;
  return {
    seconds: (close.at - open.at) / 1000,
    cpu,
    postgresOthers: Math.max(0, close.postgresOthers - open.postgresOthers),
    busy,
    elsewhere: Math.max(0, busy - (close.client - open.client) - PARTS.reduce((n, p) => n + cpu[p], 0)),
  };
}

async function measure(system: BenchSystem, gateway: Gateway, w: Workload, s: Settings, tokens: string[]): Promise<Omit<Round, 'callers'>> {
  const edges: Reading[] = [];
  const load = await runLoad({ url: gateway.url, body: w.body, tokens, connections: s.connections, warmupMs: s.warmup * 1000, measureMs: s.seconds * 1000, onWindow: () => edges.push(readCpu(system, gateway)) });
  return { gateway: gateway.key, workload: w.key, load, ...between(edges[0], edges[1]), rssBytes: rssBytes(gateway.pid) };
}

/** What the system spends with no request at all (timers: outboxes, access shipping, health probes), per second. */
async function atRest(system: BenchSystem, seconds: number): Promise<string> {
  const open = readCpu(system, system.gateways[0]);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const rest = between(open, readCpu(system, system.gateways[0]));
  return [
    `At rest, no request sent for ${seconds} s, CPU ms a second:`,
    '',
    `| ${PARTS.join(' | ')} |`,
    `|${PARTS.map(() => '---|').join('')}`,
    `| ${PARTS.map((p) => ((1000 * rest.cpu[p]) / rest.seconds).toFixed(1)).join(' | ')} |`,
  ].join('\n');
}

async function bench(system: BenchSystem, s: Settings, tokens: Record<Callers, string[]>, callers: Callers[]): Promise<string> {
  const rest = await atRest(system, s.seconds);
  const rounds: Round[] = [];
  for (const c of callers) {
    for (const w of WORKLOADS) {
      for (let r = 1; r <= s.rounds; r++) {
        for (const g of system.gateways) {
          const round = { ...(await measure(system, g, w, s, tokens[c])), callers: c };
          rounds.push(round);
          console.log(`${c} caller(s), round ${r}/${s.rounds} ${roundLine(round)}`);
        }
      }
    }
  }
  const keys = system.gateways.map((g) => g.key);
  const tables = callers.flatMap((c) => WORKLOADS.map((w) => workloadTables(`${w.title}; ${CALLERS[c]}`, rounds.filter((r) => r.workload === w.key && r.callers === c), keys)));
  const errors = rounds.reduce((n, r) => n + r.load.errors, 0);
  const shared = rounds.filter((r) => r.postgresOthers > 0.02 * r.cpu.PostgreSQL);
  const elsewhere = rounds.map((r) => (100 * r.elsewhere) / r.busy);
  const notes = [
    errors ? `**${errors} requests failed** (a status but 200 or GraphQL errors); the first: ${rounds.find((r) => r.load.firstError)!.load.firstError!.slice(0, 300)}` : 'No request failed.',
    shared.length ? `PostgreSQL served other databases during ${shared.length} of ${rounds.length} rounds (up to ${Math.max(...shared.map((r) => (100 * r.postgresOthers) / r.cpu.PostgreSQL)).toFixed(0)} % of its CPU in a round): its column is an upper bound there.` : '',
    // The kernel's own work is in it too, the softirq of the loopback traffic among it: a few per cent on a quiet machine.
    `Outside the processes measured and the load client, the machine spent ${Math.min(...elsewhere).toFixed(0)}–${Math.max(...elsewhere).toFixed(0)} % of its busy CPU in a round (idle peers, the kernel, anything else running)${Math.max(...elsewhere) > 20 ? ': **more than a fifth in some rounds, which shared the cores with other work**' : ''}.`,
  ].filter(Boolean);
  return [...tables, rest, notes.join(' ')].join('\n\n');
}

async function profile(system: BenchSystem, s: Settings, tokens: string[], dir: string): Promise<string> {
  const [page] = WORKLOADS;
  const [ours] = system.gateways;
  const edges: { us: number; reading: Reading }[] = [];
  const load = await runLoad({
    url: ours.url, body: page.body, tokens, connections: s.connections, warmupMs: s.warmup * 1000, measureMs: s.seconds * 1000,
    onWindow: () => edges.push({ us: Number(process.hrtime.bigint() / 1000n), reading: readCpu(system, ours) }),
  });
  console.log(`profiled round: ${load.answered} answered, ${load.errors} errors`);
  const [open, close] = edges;
  const { cpu } = between(open.reading, close.reading);
  // Each process writes its profile as it exits.
  await system.stop();
  const profiles = ['gateway', ...SUBGRAPHS.map((p) => p.name)].map((name) => ({
    name,
    cpuSeconds: cpu[name],
    ...topFrames(readProfile(join(dir, name)), open.us, close.us, TOP_FRAMES, PROJECT_ROOT),
  }));
  console.log(`the profiles: ${dir}/<process>/*.cpuprofile (open them in Chrome DevTools)`);
  return `${load.answered} requests answered, ${load.errors} errors.\n\n${profileTables(profiles)}`;
}

async function main(): Promise<void> {
  const s = settingsFrom(process.argv.slice(2));
  // Read before anything runs: what `npm run build` compiled a moment ago.
  const code = codeState(PROJECT_ROOT);
  execFileSync('taskset', ['-a', '-cp', CORES.rest, String(process.pid)], { stdio: 'ignore' });
  const config = loadConfig();
  const staff = (subject: string) => developmentToken(config.auth, { subject, role: 'CENTRE_STAFF' });
  const token = await staff('bench-gateway');
  const tokens: Record<Callers, string[]> = {
    one: [token],
    each: await Promise.all(Array.from({ length: s.connections }, (_, i) => staff(`bench-gateway-${i + 1}`))),
  };
  const urls = benchDatabaseUrls(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', PREFIX);
  let system: BenchSystem | undefined;
  stopOnSignals(() => [system, { stop: () => dropDatabases(urls) }]);
  try {
    console.log(`demo data stored in ${PREFIX}_*: ${await seedDatabases(urls)}`);
    const dir = s.profile ? mkdtempSync(join(tmpdir(), 'bench-gateway-profile-')) : undefined;
    system = await startSystem({ databaseUrls: urls, cores: CORES, peers: !s.profile, profileDir: dir });
    const checked = await sameAnswers(system.gateways, token);
    checked.forEach((line) => console.log(line));
    const results = dir ? await profile(system, s, tokens[s.callers[0]], dir) : await bench(system, s, tokens, s.callers);
    const date = new Date().toISOString().slice(0, 10);
    const heading = `#### ${date}${dir ? ': profile of the page, our gateway' : ''}`;
    const section = [
      heading,
      `${machine(await postgresVersion(urls.intake))}; ${code}. ${dir ? `One round of the page on our gateway, ${CALLERS[s.callers[0]]}: ${s.connections} connections, ${s.warmup} s warm-up, then ${s.seconds} s profiled` : settingsLine(s)}; gateway on core ${CORES.gateway}, subgraphs and the load client on core ${CORES.rest}.`,
      checked.map((l) => `- ${l}`).join('\n'),
      results,
    ].join('\n\n');
    console.log(`\n${section}\n`);
    if (!s.quick) writeSection(README, section, dir ? 'profile' : 'results');
  } finally {
    await system?.stop();
    await dropDatabases(urls);
  }
}

runMain('bench', main);
