import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../subgraphs/kit/paths';
import type { ServiceSpec } from '../../../scripts/supervisor';
import { alive } from '../../support/waiting';

const FIXTURE = join(__dirname, 'stack.fixture.js');
const DIST = join(PROJECT_ROOT, 'dist');

/**
 * The five subgraphs and the gateway as processes under the project's Supervisor (restarting one that dies,
 * as `npm start` does), their log lines in `logFile`. Knows each service's pid, to kill or freeze it.
 */
export class SystemStack {
  private process?: ChildProcess;
  private readonly seen = new Set<number>();

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly logFile: string,
  ) {}

  /** Starts the subgraphs (ready at `readyUrl(name)`), then the gateway; resolves once all are ready. */
  async start(subgraphs: string[], readyUrl: (name: string) => string, gatewayReadyUrl: string): Promise<void> {
    const serve = join(DIST, 'subgraphs/serve.js');
    if (!existsSync(serve)) throw new Error(`${serve} is missing: npm run -s build first`);
    const groups: ServiceSpec[][] = [
      subgraphs.map((name) => ({ name, script: serve, args: [name], readyUrl: readyUrl(name) })),
      [{ name: 'gateway', script: join(DIST, 'gateway/main.js'), readyUrl: gatewayReadyUrl }],
    ];
    const out = openSync(this.logFile, 'a');
    try {
      this.process = spawn(process.execPath, [FIXTURE], { env: this.env, stdio: ['ignore', out, out, 'ipc'] });
    } finally {
      closeSync(out);
    }
    const child = this.process;
    const answer = new Promise<unknown>((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`the stack exited (${code}) before it was ready; see ${this.logFile}`)));
    });
    child.send({ groups, stopTimeoutMs: 15_000 });
    const reply = await answer;
    if (reply !== 'ready') throw new Error(`the stack did not start: ${(reply as { error?: string }).error}; see ${this.logFile}`);
    this.pids();
  }

  /** The pid of each service now, by name ('gateway' for the gateway). */
  pids(): Record<string, number> {
    if (!this.process?.pid) return {};
    let lines: string[];
    try {
      lines = execFileSync('ps', ['--ppid', String(this.process.pid), '-o', 'pid=,args='], { encoding: 'utf8' }).trim().split('\n');
    } catch {
      return {};
    }
    const found: Record<string, number> = {};
    for (const line of lines) {
      const m = line.trim().match(/^(\d+) .*?(?:subgraphs\/serve\.js (\S+)|(gateway)\/main\.js)$/);
      if (m) found[m[2] ?? m[3]] = Number(m[1]);
    }
    for (const pid of Object.values(found)) this.seen.add(pid);
    return found;
  }

  signal(name: string, signal: NodeJS.Signals): number {
    const pid = this.pids()[name];
    if (!pid) throw new Error(`no process serves ${name}`);
    process.kill(pid, signal);
    return pid;
  }

  async stop(): Promise<void> {
    const child = this.process;
    // A service left frozen would never drain.
    for (const pid of this.seen) if (alive(pid)) process.kill(pid, 'SIGCONT');
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.send('stop');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    for (const pid of this.seen) if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
}
