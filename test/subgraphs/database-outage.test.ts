import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { isDatabaseOutage } from '../../subgraphs/kit/database-outage';
import { TEST_SERVER } from '../support/databases';
import { freePort, until } from '../support/waiting';

/** The errors a real PostgreSQL (and pg, and TypeORM) give, told apart: the database gone, or the statement wrong. */
describe('telling a database outage from a failed statement', () => {
  const url = `${TEST_SERVER}/postgres`;

  async function errorOf(run: () => Promise<unknown>): Promise<unknown> {
    return run().then(
      () => {
        throw new Error('expected the statement to fail');
      },
      (e: unknown) => e,
    );
  }

  it('when its backend is terminated mid-statement, then it is an outage (57P01)', async () => {
    const victim = new Client({ connectionString: url });
    const admin = new Client({ connectionString: url });
    await victim.connect();
    await admin.connect();
    victim.on('error', () => {});
    try {
      const [{ pid }] = (await victim.query('SELECT pg_backend_pid() AS pid')).rows;
      const sleeping = errorOf(() => victim.query('SELECT pg_sleep(30)'));
      await until('the backend terminated while it sleeps', async () =>
        (await admin.query(`SELECT pg_terminate_backend($1) FROM pg_stat_activity WHERE pid = $1 AND state = 'active'`, [pid])).rowCount
          ? true
          : undefined,
      );
      const error = (await sleeping) as { code?: string };
      expect(error.code).toBe('57P01');
      expect(isDatabaseOutage(error)).toBe(true);
    } finally {
      await admin.end();
      await victim.end().catch(() => {});
    }
  });

  it('when the server is not there, then a connection refused is an outage', async () => {
    const port = await freePort();
    const client = new Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    const error = await errorOf(() => client.connect());
    expect(isDatabaseOutage(error)).toBe(true);
  });

  it('when a statement is wrong (syntax, a violated constraint, a bad value), then it is not an outage, through TypeORM too', async () => {
    const ds = await new DataSource({ type: 'postgres', url }).initialize();
    try {
      const errors = [
        await errorOf(() => ds.query('SELEC 1')),
        await errorOf(() => ds.query('SELECT 1/0')),
        await errorOf(() => ds.query(`SELECT 'x'::int`)),
        await errorOf(() => ds.query('CREATE TEMP TABLE t (k int PRIMARY KEY); INSERT INTO t VALUES (1), (1)')),
      ];
      expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['42601', '22012', '22P02', '23505']);
      expect(errors.map(isDatabaseOutage)).toEqual([false, false, false, false]);
      expect(isDatabaseOutage(new TypeError('x is undefined'))).toBe(false);
    } finally {
      await ds.destroy();
    }
  });
});
