import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { SUBGRAPHS } from '../../subgraphs/registry';
import type { Frame } from './cpu-profile.aggregate';
import type { LoadResult } from './load.client';
import { GATEWAY_TITLES, type Gateway } from './system.launcher';

/** The processes a request costs, in the order the tables show them. */
export const PARTS = ['gateway', ...SUBGRAPHS.map((s) => s.name), 'PostgreSQL'] as const;

export interface Round {
  gateway: Gateway['key'];
  workload: string;
  /** Which set of callers sent the load (one for all connections, or one a connection). */
  callers: string;
  load: LoadResult;
  /** Measured window, seconds of wall time. */
  seconds: number;
  /** CPU seconds in the window, by PARTS. */
  cpu: Record<string, number>;
  /** PostgreSQL CPU seconds spent in the window on databases not the bench's. */
  postgresOthers: number;
  /** The machine's busy CPU seconds in the window, and the part of them not in PARTS nor the load client. */
  busy: number;
  elsewhere: number;
  rssBytes: number;
}

export interface Settings {
  rounds: number;
  warmup: number;
  seconds: number;
  connections: number;
}

interface Summary {
  gateway: Gateway['key'];
  answered: number;
  errors: number;
  seconds: number;
  cpu: Record<string, number>;
  /** Requests answered per gateway CPU-second, over all rounds, and the lowest and highest of single rounds. */
  perCpuSecond: number;
  perCpuSecondRounds: number[];
  p50: number;
  p99: number;
  rssBytes: number;
}

const quantile = (sorted: Float64Array, q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : NaN);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

export function summarise(rounds: Round[], gateway: Gateway['key']): Summary {
  const mine = rounds.filter((r) => r.gateway === gateway);
  const latencies = Float64Array.from(mine.flatMap((r) => [...r.load.latenciesMs])).sort();
  const answered = sum(mine.map((r) => r.load.answered));
  const cpu = Object.fromEntries(PARTS.map((p) => [p, sum(mine.map((r) => r.cpu[p]))]));
  return {
    gateway,
    answered,
    errors: sum(mine.map((r) => r.load.errors)),
    seconds: sum(mine.map((r) => r.seconds)),
    cpu,
    perCpuSecond: answered / cpu.gateway,
    perCpuSecondRounds: mine.map((r) => r.load.answered / r.cpu.gateway),
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    rssBytes: mine.at(-1)!.rssBytes,
  };
}

export function roundLine(r: Round): string {
  const perRequest = (s: number) => (r.load.answered ? (1000 * s) / r.load.answered : NaN);
  return `${r.workload} ${GATEWAY_TITLES[r.gateway]}: ${r.load.answered} answered, ${r.load.errors} errors, ${(r.load.answered / r.seconds).toFixed(0)}/s, `
    + `${(r.load.answered / r.cpu.gateway).toFixed(0)} per gateway CPU-s, system ${perRequest(sum(Object.values(r.cpu))).toFixed(2)} ms CPU a request, ${((100 * r.elsewhere) / r.busy).toFixed(0)} % of the machine's CPU elsewhere`
    + `${r.load.firstError ? `; first error: ${r.load.firstError.slice(0, 300)}` : ''}`;
}

const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);

/** The tables of one workload: gateways side by side, then each one's whole-system CPU per request by process. */
export function workloadTables(title: string, rounds: Round[], gateways: Gateway['key'][]): string {
  const all = gateways.map((g) => summarise(rounds, g));
  const ours = all.find((s) => s.gateway === 'ours')!;
  const lines = [
    `**${title}**`,
    '',
    '| gateway | answered | errors | answered/s | gateway CPU s | per gateway CPU-second (rounds) | ours ÷ it | p50 ms | p99 ms | gateway RSS MB |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...all.map((s) => `| ${GATEWAY_TITLES[s.gateway]} | ${s.answered} | ${s.errors} | ${f1(s.answered / s.seconds)} | ${f2(s.cpu.gateway)} | ${s.perCpuSecond.toFixed(0)} (${s.perCpuSecondRounds.map((x) => x.toFixed(0)).join(', ')}) | ${s === ours ? '' : `${f2(ours.perCpuSecond / s.perCpuSecond)}×`} | ${f1(s.p50)} | ${f1(s.p99)} | ${(s.rssBytes / 2 ** 20).toFixed(0)} |`),
    '',
    `Whole-system CPU per request answered (ms), by process:`,
    '',
    `| gateway | ${PARTS.join(' | ')} | total |`,
    `|---|${PARTS.map(() => '---|').join('')}---|`,
    ...all.map((s) => `| ${GATEWAY_TITLES[s.gateway]} | ${PARTS.map((p) => f2((1000 * s.cpu[p]) / s.answered)).join(' | ')} | **${f2((1000 * sum(Object.values(s.cpu))) / s.answered)}** |`),
  ];
  return lines.join('\n');
}

/** This machine, as a results section names it. */
export function machine(postgresVersion: string): string {
  const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown CPU';
  // Not availableParallelism(): the bench has pinned itself to one core by now.
  return `${cpus().length} cores (nproc), ${model}, Linux ${release()}, Node ${process.version}, ${postgresVersion}`;
}

/**
 * The code measured: the commit, and any file the working tree changes beside it (a shared checkout may hold
 * someone's work in progress, and the build takes it in).
 */
export function codeState(root: string): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
  try {
    const head = git('rev-parse', '--short', 'HEAD').trim();
    const changed = git('status', '--porcelain').split('\n').filter(Boolean).map((l) => l.slice(3)).filter((f) => f !== 'bench/README.md');
    if (!changed.length) return `code at ${head}`;
    return `code at ${head} with uncommitted changes to ${changed.slice(0, 8).join(', ')}${changed.length > 8 ? ` and ${changed.length - 8} more` : ''}`;
  } catch {
    return 'code outside a git checkout';
  }
}

export function settingsLine(s: Settings): string {
  return `${s.rounds} rounds, each gateway in turn, ${s.connections} connections, ${s.warmup} s warm-up then ${s.seconds} s measured`;
}

/** Each process's top frames; its CPU time over the window (from /proc) shared out by the frames' shares. */
export function profileTables(profiles: { name: string; cpuSeconds: number; sampledMs: number; frames: Frame[] }[]): string {
  return profiles
    .map((p) => [
      `**${p.name}**: ${f2(p.cpuSeconds)} CPU s in the window (${f2(p.sampledMs / 1000)} s sampled not idle)`,
      '',
      '| self % | ≈ CPU ms | function | file:line |',
      '|---|---|---|---|',
      ...p.frames.map((fr) => `| ${f1(100 * fr.selfShare)} | ${(1000 * fr.selfShare * p.cpuSeconds).toFixed(0)} | \`${fr.functionName}\` | ${fr.location} |`),
    ].join('\n'))
    .join('\n\n');
}

const PROFILE_HEADING = '### Profile';

/**
 * A dated section into bench/README.md's "Gateway and whole-system CPU": results before its "Profile" part,
 * profiles at its end (the end of the file).
 */
export function writeSection(file: string, section: string, part: 'results' | 'profile'): void {
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf(`\n${PROFILE_HEADING}\n`);
  if (at < 0) throw new Error(`${file} has no "${PROFILE_HEADING}" heading to write before or after`);
  const block = `${section.trim()}\n\n`;
  writeFileSync(file, part === 'profile' ? `${text.trimEnd()}\n\n${block}` : `${text.slice(0, at).trimEnd()}\n\n${block}${text.slice(at + 1)}`);
}
