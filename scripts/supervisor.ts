import { ChildProcess, fork } from 'node:child_process';
import { answers, hasExited, stopChildren } from './processes';

export interface ServiceSpec {
  /** How the log lines name it. */
  name: string;
  /** The module forked (with the node that runs the supervisor) and its arguments. */
  script: string;
  args?: string[];
  /** Answers 200 once the service can do its job: its /readiness. */
  readyUrl: string;
}

export interface SupervisorOptions {
  env?: NodeJS.ProcessEnv;
  /** The delay before restarting a crashed service; it doubles with each further crash, up to `maxDelayMs`. */
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** A service that served this long before it crashed is restarted after `firstDelayMs` again. */
  resetAfterMs?: number;
  /**
   * Restarts in a row that exited before they were ready, after which the service is said to be unable to start
   * (bad configuration, a port taken, a database gone) and retried at `maxDelayMs` only.
   */
  maxFailedStarts?: number;
  /** How long a service may take to become ready: at the first start it fails, on a restart it is reported. */
  readyTimeoutMs?: number;
  /** How long a service may take to drain and stop before it is killed. */
  stopTimeoutMs?: number;
  info?: (line: string) => void;
  warn?: (line: string) => void;
}

interface Supervised {
  spec: ServiceSpec;
  child?: ChildProcess;
  /** When the current child became ready; unset until it does. */
  readyAt?: number;
  /** Crashes since the last healthy stretch: they set the delay. */
  crashes: number;
  failedStarts: number;
  /** From its first readiness on; before it, start() reports an exit and nothing restarts it. */
  supervised: boolean;
  restart?: NodeJS.Timeout;
}

const POLL_MS = 250;

/**
 * Runs services as child processes and keeps them running: one that exits is restarted with exponential
 * backoff, each crash and each return logged as one line, while the others keep serving.
 */
export class Supervisor {
  private readonly services: Supervised[] = [];
  private stopping = false;
  private readonly o: Required<Omit<SupervisorOptions, 'env'>> & Pick<SupervisorOptions, 'env'>;

  constructor(options: SupervisorOptions) {
    this.o = {
      firstDelayMs: 1_000,
      maxDelayMs: 30_000,
      resetAfterMs: 60_000,
      maxFailedStarts: 5,
      readyTimeoutMs: 30_000,
      stopTimeoutMs: 30_000,
      info: (line) => console.log(line),
      warn: (line) => console.error(line),
      ...options,
    };
  }

  /** Starts a service; resolves once it is ready, from when on it is kept running. */
  async start(spec: ServiceSpec): Promise<void> {
    const s: Supervised = { spec, crashes: 0, failedStarts: 0, supervised: false };
    this.services.push(s);
    const child = this.launch(s);
    const outcome = await this.untilReady(s, child);
    if (outcome === 'exited') throw new Error(`${spec.name} exited (${exitOf(child)}) before it was ready`);
    if (outcome === 'timeout') throw new Error(`${spec.name} was not ready within ${seconds(this.o.readyTimeoutMs)}`);
    s.supervised = true;
  }

  /** Stops every service (SIGTERM, then SIGKILL after `stopTimeoutMs`) and restarts none. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const s of this.services) clearTimeout(s.restart);
    await stopChildren(this.services.flatMap((s) => (s.child ? [s.child] : [])), this.o.stopTimeoutMs);
  }

  private launch(s: Supervised): ChildProcess {
    s.readyAt = undefined;
    const child = fork(s.spec.script, s.spec.args ?? [], { env: this.o.env ?? process.env });
    s.child = child;
    child.on('error', (e) => this.o.warn(`${s.spec.name}: ${e.message}`));
    child.once('exit', () => this.exited(s, child));
    return child;
  }

  private async untilReady(s: Supervised, child: ChildProcess): Promise<'ready' | 'exited' | 'timeout'> {
    const deadline = Date.now() + this.o.readyTimeoutMs;
    for (;;) {
      if (hasExited(child) || this.stopping) return 'exited';
      if (await answers(s.spec.readyUrl)) {
        if (hasExited(child)) return 'exited';
        s.readyAt = Date.now();
        return 'ready';
      }
      if (Date.now() > deadline) return 'timeout';
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  private exited(s: Supervised, child: ChildProcess): void {
    if (this.stopping || !s.supervised || s.child !== child) return;
    const { name } = s.spec;
    const ranMs = s.readyAt === undefined ? undefined : Date.now() - s.readyAt;
    if (ranMs !== undefined && ranMs >= this.o.resetAfterMs) s.crashes = 0;
    s.failedStarts = ranMs === undefined ? s.failedStarts + 1 : 0;
    // It cannot start (a database away, a port taken): said once, and retried at the longest delay, while the
    // other services keep serving; stopping them all would turn one system's outage into everyone's.
    const stuck = s.failedStarts >= this.o.maxFailedStarts;
    if (s.failedStarts === this.o.maxFailedStarts) {
      this.o.warn(`${name} cannot start: it exited (${exitOf(child)}) before it was ready ${s.failedStarts} times in a row; retrying every ${seconds(this.o.maxDelayMs)}`);
    }
    s.crashes++;
    const delay = stuck ? this.o.maxDelayMs : Math.min(this.o.firstDelayMs * 2 ** (s.crashes - 1), this.o.maxDelayMs);
    const ran = ranMs === undefined ? 'before it was ready' : `after ${seconds(ranMs)}`;
    this.o.warn(`${name} (pid ${child.pid}) exited (${exitOf(child)}) ${ran}; restarting it in ${seconds(delay)}`);
    s.restart = setTimeout(() => void this.relaunch(s), delay);
  }

  private async relaunch(s: Supervised): Promise<void> {
    if (this.stopping) return;
    const child = this.launch(s);
    let outcome = await this.untilReady(s, child);
    if (outcome === 'timeout') {
      // Alive but not ready (its /readiness says why, e.g. its database is away): said once, then waited for.
      this.o.warn(`${s.spec.name} (pid ${child.pid}) is running but not ready after ${seconds(this.o.readyTimeoutMs)}`);
      while (outcome === 'timeout') outcome = await this.untilReady(s, child);
    }
    if (outcome === 'ready') this.o.info(`${s.spec.name} is serving again (pid ${child.pid})`);
  }
}

const exitOf = (c: ChildProcess) => c.signalCode ?? `code ${c.exitCode}`;
const seconds = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`);
