import { createHash } from 'node:crypto';
import { Client, Pool } from 'pg';
import { DataSource, Logger as OrmLogger, MixedList, EntitySchema, QueryRunner } from 'typeorm';
import { SnakeNamingStrategy } from './naming';
import type { Logger } from './logger';
import { tracedStatement, TracedClient } from './telemetry/sql';

export class DatabaseUnavailableError extends Error {}

/** Counts the SQL statements a subgraph sends: the measure behind the batching rule. */
export class StatementCounter {
  count = 0;
  reset(): void {
    this.count = 0;
  }
}

class CountingLogger implements OrmLogger {
  constructor(
    private readonly counter: StatementCounter,
    private readonly out?: Logger,
  ) {}
  logQuery(_query: string, _parameters?: unknown[], runner?: QueryRunner): void {
    if (!runner?.data?.background) this.counter.count++;
  }
  logQueryError(error: string | Error): void {
    this.counter.count++;
    // The statement and its parameters may hold personal data: log the driver's code only.
    const code = typeof error === 'object' ? (error as { code?: string }).code : undefined;
    this.out?.warn({ sqlState: code }, 'query failed');
  }
  logQuerySlow(time: number): void {
    this.out?.warn({ ms: time }, 'slow query');
  }
  logSchemaBuild(): void {}
  logMigration(message: string): void {
    this.out?.info(message);
  }
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.out?.warn(String(message));
  }
}

export interface DataSourceOptions {
  url: string;
  entities: MixedList<Function | string | EntitySchema>;
  migrations: MixedList<Function | string>;
  counter?: StatementCounter;
  log?: Logger;
  poolSize?: number;
}

export function createDataSource(o: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: o.url,
    entities: o.entities,
    migrations: o.migrations,
    migrationsTransactionMode: 'each',
    synchronize: false,
    namingStrategy: new SnakeNamingStrategy(),
    logger: new CountingLogger(o.counter ?? new StatementCounter(), o.log),
    maxQueryExecutionTime: 1000,
    // JIT compiles for tens of milliseconds whenever the planner overestimates; these queries run in one or two.
    // TracedClient: a span per statement, within a traced request.
    extra: { max: o.poolSize ?? 10, application_name: 'motcua-graph', options: '-c jit=off', Client: TracedClient },
  });
}

/** Creates the database named in `url` on its server when it does not exist yet. */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`refusing to create database with name "${name}"`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (e) {
    throw new DatabaseUnavailableError(`PostgreSQL at ${target.host} is not reachable (${(e as Error).message})`);
  }
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name}"`).catch((e: { code?: string }) => {
        if (e.code !== '42P04') throw e; // created concurrently by another process
      });
    }
  } finally {
    await client.end();
  }
}

/** Held while migrating: per database, so two replicas or a `migrate` job and a subgraph never run the same migrations at once. */
export const MIGRATION_LOCK = 727_001;

/**
 * Connects, creating the database if needed; applies pending migrations unless told not to (in production
 * they are their own step, `npm run migrate`).
 */
export async function openDatabase(ds: DataSource, url: string, o: { migrate?: boolean } = {}): Promise<DataSource> {
  if (o.migrate ?? true) await ensureDatabase(url);
  try {
    await ds.initialize();
  } catch (e) {
    throw new DatabaseUnavailableError(`database ${new URL(url).pathname.slice(1)} is not reachable (${(e as Error).message})`);
  }
  if (o.migrate ?? true) await migrate(ds);
  return ds;
}

/** Applies pending migrations under the migration lock; a second caller waits, then finds nothing to do. */
export async function migrate(ds: DataSource): Promise<number> {
  const runner = ds.createQueryRunner();
  runner.data = { background: true };
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      return (await ds.runMigrations({ transaction: 'each' })).length;
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    await runner.release();
  }
}

/** Names of the migrations the code has that the database has not applied. */
export async function pendingMigrations(ds: DataSource): Promise<string[]> {
  const runner = ds.createQueryRunner();
  runner.data = { background: true };
  try {
    const applied = new Set<string>(
      (await runner.query(`SELECT name FROM migrations`).catch((e: { code?: string }) => {
        if (e.code === '42P01') return [];
        throw e;
      })).map((r: { name: string }) => r.name),
    );
    return ds.migrations.map((m) => m.name ?? m.constructor.name).filter((n) => !applied.has(n));
  } finally {
    await runner.release();
  }
}

/** Runs background work (the outbox) on its own connection, outside the request statement count. */
export async function inBackground<T>(db: DataSource, work: (query: (sql: string, params?: unknown[]) => Promise<any>) => Promise<T>): Promise<T> {
  const runner = db.createQueryRunner();
  runner.data = { background: true };
  try {
    return await work((sql, params) => runner.query(sql, params));
  } finally {
    await runner.release();
  }
}

const preparedPools = new WeakMap<DataSource, Pool>();
const closed = new WeakSet<DataSource>();

/**
 * The report's statements run on a small pool of their own, prepared (parsed once per connection) and with
 * the generic plan forced: the server's default keeps re-planning them, because their arrays of periods and
 * departments make the generic plan look costly, yet it runs in a quarter of the time. Forced per pool, since
 * the setting would also apply to every other (unnamed) statement. Bounded in waiting and running, below the
 * gateway's 30 s per hop, so a stuck database fails the request instead of queueing work behind it.
 */
function preparedPool(db: DataSource): Pool {
  if (closed.has(db)) throw new DatabaseUnavailableError('the database is closed');
  let pool = preparedPools.get(db);
  if (!pool) {
    const url = (db.options as { url?: string }).url;
    pool = new Pool({
      connectionString: url,
      max: 4,
      connectionTimeoutMillis: 5_000,
      application_name: 'motcua-graph-report',
      options: '-c jit=off -c plan_cache_mode=force_generic_plan -c statement_timeout=15000',
    });
    // An idle client's connection that drops is replaced on the next use; the error must not crash the process.
    pool.on('error', () => undefined);
    preparedPools.set(db, pool);
  }
  return pool;
}

/** Closes the prepared statements' pool with the data source; later statements fail instead of reopening it. */
export async function closePrepared(db: DataSource): Promise<void> {
  closed.add(db);
  const pool = preparedPools.get(db);
  preparedPools.delete(db);
  await pool?.end();
}

/** A named statement on `pool`: parsed and planned once per connection, then only executed. Counted and traced like any other. */
async function runNamed<T>(db: DataSource, pool: () => Pool, name: string, text: string, values: unknown[]): Promise<T[]> {
  db.logger.logQuery(text, values);
  try {
    // The pool calls its client back, which TracedClient passes through untraced: the span is made here.
    return (await tracedStatement(db.driver.database ?? '', text, () => pool().query({ name, text, values }))).rows as T[];
  } catch (e) {
    db.logger.logQueryError(e as Error, text, values);
    throw e;
  }
}

/** A report statement, on the report's prepared pool. */
export function preparedQuery<T>(db: DataSource, name: string, text: string, values: unknown[]): Promise<T[]> {
  return runNamed(db, () => preparedPool(db), name, text, values);
}

const statementNames = new Map<string, string>();

/**
 * A statement the request path sends over and over (a loader's select, a nonce's claim), sent on TypeORM's pool as a
 * named statement: each connection parses and plans it once, then only executes it; and no query runner is made
 * for it.
 */
export function namedQuery<T>(db: DataSource, text: string, values: unknown[]): Promise<T[]> {
  let name = statementNames.get(text);
  if (!name) statementNames.set(text, (name = `q_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`));
  return runNamed(db, () => (db.driver as unknown as { master: Pool }).master, name, text, values);
}

/** The connection pools a data source holds, for the pool gauges: TypeORM's, and the report statements' when open. */
export function poolsOf(db: DataSource): Record<string, Pool | undefined> {
  return { main: (db.driver as unknown as { master?: Pool }).master, report: preparedPools.get(db) };
}
