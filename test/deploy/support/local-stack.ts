import { ChildProcess, spawn } from 'node:child_process';
import { createServer, AddressInfo, Server } from 'node:net';
import { join } from 'node:path';
import { ComposeService, NODE_BIN, ResolvedCompose, ROOT } from './compose';

/**
 * Runs a resolved compose file the way `docker compose up` would, with local processes instead of containers:
 * each service's own command and environment, started in the order its depends_on conditions demand
 * (service_healthy: its own healthcheck command exits 0; service_completed_successfully: it exited 0).
 *
 * What containers would give and one machine cannot, and how it is stood in for:
 * - a network namespace per service: every (service, port) the stack names gets a free port of its own on
 *   127.0.0.1, and each service's host names, port variables and healthcheck are rewritten to match. A URL to a
 *   service port nothing listens on is an error, as it would be a dead link in the stack.
 * - the postgres container: the PostgreSQL at `postgres` (a superuser URL) runs the init scripts the service
 *   mounts into /docker-entrypoint-initdb.d with the service's environment, as the image would on a new volume.
 * - /run/secrets/<name>: the file the compose file names for the secret, for services that list it.
 */
export class LocalStack {
  readonly processes = new Map<string, ChildProcess>();
  private readonly output = new Map<string, string>();
  private readonly ports = new Map<string, number>();
  private readonly started = new Map<string, Promise<void>>();
  private readonly health = new Map<string, Promise<void>>();
  /** When each service became healthy or completed (ms since the epoch), for start-up measurements. */
  readonly readyAt = new Map<string, number>();

  private constructor(
    readonly compose: ResolvedCompose,
    private readonly postgres: URL,
    private readonly timeoutMs: number,
  ) {}

  static async create(compose: ResolvedCompose, postgres: string, timeoutMs = 90_000): Promise<LocalStack> {
    const stack = new LocalStack(compose, new URL(postgres), timeoutMs);
    await stack.allocatePorts();
    return stack;
  }

  /** The port a service's own port `port` is reached on here. */
  port(service: string, port: number | string): number {
    const p = this.ports.get(`${service}:${port}`);
    if (p === undefined) throw new Error(`nothing in the stack listens on ${service}:${port}`);
    return p;
  }

  /** Its environment as its process gets it. */
  environment(name: string): Record<string, string> {
    const s = this.service(name);
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(s.environment ?? {})) {
      if (isPortVar(key) && name !== 'postgres') env[key] = String(this.port(name, value));
      else if (key === 'HOST' && value === '0.0.0.0') env[key] = '127.0.0.1';
      else env[key] = this.rewriteSecrets(s, this.rewriteHosts(String(value)));
    }
    return env;
  }

  /** `docker compose up`: every service without a profile, dependencies first. */
  async up(): Promise<void> {
    const names = Object.entries(this.compose.services).filter(([, s]) => !s.profiles?.length).map(([n]) => n);
    await Promise.all(names.map((n) => this.ensure(n)));
    await Promise.all(names.filter((n) => this.service(n).healthcheck).map((n) => this.healthy(n)));
  }

  /** `docker compose run --rm <name>`: its dependencies, then it, to its exit; rejects unless it exits 0. */
  async run(name: string): Promise<string> {
    await this.ensure(name);
    await this.completed(name);
    return this.output.get(name) ?? '';
  }

  /** SIGTERM to every process, as `docker compose down`; resolves with each one's exit code. */
  async down(): Promise<Record<string, number | string | null>> {
    const exits = [...this.processes.entries()].map(
      ([name, p]) =>
        new Promise<[string, number | string | null]>((done) => {
          if (p.exitCode !== null || p.signalCode !== null) return done([name, p.exitCode ?? p.signalCode]);
          const kill = setTimeout(() => p.kill('SIGKILL'), 20_000);
          p.once('exit', (code, signal) => {
            clearTimeout(kill);
            done([name, code ?? signal]);
          });
          p.kill('SIGTERM');
        }),
    );
    return Object.fromEntries(await Promise.all(exits));
  }

  /** The last of what a service printed, for failure messages. */
  log(name: string): string {
    return (this.output.get(name) ?? '').slice(-4000);
  }

  private service(name: string): ComposeService {
    const s = this.compose.services[name];
    if (!s) throw new Error(`no service "${name}" in the compose file`);
    return s;
  }

  private ensure(name: string): Promise<void> {
    let p = this.started.get(name);
    if (!p) {
      p = (async () => {
        for (const [dep, { condition }] of Object.entries(this.service(name).depends_on ?? {})) {
          await this.ensure(dep);
          if (condition === 'service_healthy') await this.healthy(dep);
          else if (condition === 'service_completed_successfully') await this.completed(dep);
          else if (condition !== 'service_started') throw new Error(`${name}: unknown depends_on condition ${condition}`);
        }
        await this.start(name);
      })();
      this.started.set(name, p);
    }
    return p;
  }

  private async start(name: string): Promise<void> {
    const s = this.service(name);
    if (s.image?.startsWith('postgres:')) return this.initPostgres(name);
    if (!s.command?.length) throw new Error(`${name}: no command`);
    const [command, ...args] = s.command;
    this.spawn(name, command, args, this.environment(name));
  }

  private spawn(name: string, command: string, args: string[], env: Record<string, string>): ChildProcess {
    // The image's WORKDIR holds dist/, package.json and schema/, as the repository root does; its node is 24.
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { PATH: `${NODE_BIN}:${process.env.PATH}`, APOLLO_TELEMETRY_DISABLED: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer) => this.output.set(name, ((this.output.get(name) ?? '') + d.toString()).slice(-20_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.processes.set(name, child);
    return child;
  }

  private async initPostgres(name: string): Promise<void> {
    const s = this.service(name);
    const scripts = (s.volumes ?? [])
      .map((v) => v.split(':'))
      .filter(([, target]) => target?.startsWith('/docker-entrypoint-initdb.d/'))
      .sort(([, a], [, b]) => a.localeCompare(b))
      .map(([source]) => source);
    if (!scripts.length) throw new Error(`${name}: mounts no init script`);
    const env = {
      ...(s.environment ?? {}),
      POSTGRES_USER: decodeURIComponent(this.postgres.username) || 'postgres',
      PGHOST: this.postgres.hostname,
      PGPORT: this.postgres.port || '5432',
    };
    for (const script of scripts) {
      const done = await exitOf(this.spawn(`${name}-init`, 'bash', [script], env));
      if (done !== 0) throw new Error(`${name}: ${script} exited ${done}: ${this.log(`${name}-init`)}`);
    }
  }

  private healthy(name: string): Promise<void> {
    let p = this.health.get(name);
    if (!p) this.health.set(name, (p = this.probeUntilHealthy(name)));
    return p;
  }

  private probeUntilHealthy(name: string): Promise<void> {
    const s = this.service(name);
    const test = s.healthcheck?.test;
    if (!test || test[0] !== 'CMD') throw new Error(`${name}: depended on as healthy, but has no CMD healthcheck`);
    const argv = test.slice(1).map((a) => a.replace(/\b(?:127\.0\.0\.1|localhost):(\d+)/g, (_m, p) => `127.0.0.1:${this.port(name, p)}`));
    const env = s.image?.startsWith('postgres:') ? { PGPORT: this.postgres.port || '5432' } : {};
    const deadline = Date.now() + this.timeoutMs;
    return (async () => {
      for (;;) {
        const p = this.processes.get(name);
        if (p && (p.exitCode !== null || p.signalCode !== null)) throw new Error(`${name} exited (${p.exitCode ?? p.signalCode}) before it was healthy: ${this.log(name)}`);
        const [command, ...args] = argv;
        if ((await exitOf(spawn(command, args, { cwd: ROOT, env: { PATH: `${NODE_BIN}:${process.env.PATH}`, ...env }, stdio: 'ignore' }))) === 0) {
          this.readyAt.set(name, Date.now());
          return;
        }
        if (Date.now() > deadline) throw new Error(`${name} not healthy within ${this.timeoutMs / 1000} s: ${this.log(name)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
  }

  private async completed(name: string): Promise<void> {
    const p = this.processes.get(name);
    if (!p) throw new Error(`${name} never started`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((r) => (timer = setTimeout(() => r(`nothing (still running after ${this.timeoutMs / 1000} s)`), this.timeoutMs)));
    const code = await Promise.race([exitOf(p), timeout]).finally(() => clearTimeout(timer));
    if (code !== 0) throw new Error(`${name} exited ${code}: ${this.log(name)}`);
    if (!this.readyAt.has(name)) this.readyAt.set(name, Date.now());
  }

  private rewriteHosts(value: string): string {
    return value.replace(/(\/\/|@)([a-z][a-z0-9-]*):(\d+)/g, (_m, lead: string, host: string, port: string) => {
      if (!this.compose.services[host]) return `${lead}${host}:${port}`;
      if (this.service(host).image?.startsWith('postgres:')) return `${lead}${this.postgres.hostname}:${this.postgres.port || '5432'}`;
      return `${lead}127.0.0.1:${this.port(host, port)}`;
    });
  }

  private rewriteSecrets(s: ComposeService, value: string): string {
    return value.replace(/\/run\/secrets\/([A-Za-z0-9_.-]+)/g, (m, secret: string) => {
      const listed = s.secrets?.some((x) => (x.target ?? x.source) === secret);
      const file = this.compose.secrets?.[secret]?.file;
      return listed && file ? file : m;
    });
  }

  private async allocatePorts(): Promise<void> {
    const wanted = Object.entries(this.compose.services).flatMap(([name, s]) =>
      s.image?.startsWith('postgres:') ? [] : Object.entries(s.environment ?? {}).filter(([k]) => isPortVar(k)).map(([, v]) => `${name}:${v}`),
    );
    // Held open together so no two are the same; closed just before the services take them.
    const servers = await Promise.all(wanted.map(() => listenOnFreePort()));
    wanted.forEach((key, i) => this.ports.set(key, (servers[i].address() as AddressInfo).port));
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

const isPortVar = (key: string) => key === 'PORT' || key.endsWith('_PORT');

function listenOnFreePort(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1');
    server.once('error', reject);
    server.once('listening', () => resolve(server));
  });
}

function exitOf(p: ChildProcess): Promise<number | string> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve(p.exitCode ?? p.signalCode!);
  return new Promise((resolve) => {
    p.once('exit', (code, signal) => resolve(code ?? signal ?? -1));
    p.once('error', () => resolve(-1));
  });
}
