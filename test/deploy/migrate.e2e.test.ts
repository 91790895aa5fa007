import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { MIGRATION_LOCK } from '../../subgraphs/kit/data-source';
import { databaseOf } from '../../subgraphs/kit/subgraph';
import { envPrefix, SUBGRAPHS } from '../../subgraphs/registry';
import { dropDatabases, testDatabaseUrls, uniquePrefix } from '../support/databases';
import { NODE_BIN, ROOT } from './support/compose';
import { until } from '../support/waiting';

const run = promisify(execFile);

/** npm run migrate, built, against the given databases. */
const migrate = (urls: Record<string, string>, args: string[] = []) =>
  run(join(NODE_BIN, 'node'), [join(ROOT, 'dist/scripts/migrate.js'), ...args], {
    env: { PATH: process.env.PATH, ...Object.fromEntries(Object.entries(urls).map(([n, u]) => [`${envPrefix(n)}_DATABASE_URL`, u])) },
  });

async function withClient<T>(url: string, work: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

const appliedNames = (url: string) =>
  withClient(url, async (c) => {
    const exists = await c.query(`SELECT to_regclass('migrations') IS NOT NULL AS e`);
    return exists.rows[0].e ? (await c.query('SELECT name FROM migrations')).rows.map((r) => r.name as string) : [];
  });

describe('npm run migrate', () => {
  const prefix = uniquePrefix('migrate');
  const urls = testDatabaseUrls(prefix);
  const expected: Record<string, number> = {};

  beforeAll(async () => {
    await withClient(new URL('/postgres', urls.intake).toString(), async (c) => {
      for (const url of Object.values(urls)) await c.query(`CREATE DATABASE "${new URL(url).pathname.slice(1)}"`);
    });
    for (const s of SUBGRAPHS) expected[s.name] = databaseOf(await s.load()).migrations.length;
  });
  afterAll(() => dropDatabases(prefix));

  it('when only one subgraph is named, then only its database is migrated', async () => {
    const { stdout } = await migrate(urls, ['police']);
    expect(stdout.trim()).toBe(`police: ${expected.police} migrations applied`);
    expect(await appliedNames(urls.police)).toHaveLength(expected.police);
    expect(await appliedNames(urls.intake)).toEqual([]);
  });

  it('when two runs start on fresh databases at once, then both exit 0 and each migration is applied once', async () => {
    // Both runs are held at the migration lock, then let go together: the race is certain, not a matter of timing.
    const holders = await Promise.all(
      Object.values(urls).map(async (url) => {
        const c = new Client({ connectionString: url });
        await c.connect();
        await c.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
        return c;
      }),
    );
    const runs = [migrate(urls), migrate(urls)];
    try {
      await until('both runs to wait for the lock in every database', async () => {
        const { rows } = await holders[0].query(
          `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
            WHERE l.locktype = 'advisory' AND l.objid = $1 AND NOT l.granted AND d.datname = ANY($2)`,
          [MIGRATION_LOCK, Object.values(urls).map((u) => new URL(u).pathname.slice(1))],
        );
        return rows[0].n === 2 * Object.keys(urls).length;
      });
    } finally {
      await Promise.all(holders.map((c) => c.end()));
    }
    const outputs = (await Promise.all(runs)).map((r) => r.stdout);
    for (const s of SUBGRAPHS) {
      const names = await appliedNames(urls[s.name]);
      expect(new Set(names).size).toBe(expected[s.name]);
      expect(names).toHaveLength(expected[s.name]);
      // police was migrated by the test before: both runs find it up to date.
      const lines = outputs.map((o) => o.split('\n').find((l) => l.startsWith(`${s.name}: `)));
      const want = s.name === 'police' ? ['police: up to date', 'police: up to date'] : [`${s.name}: ${expected[s.name]} migrations applied`, `${s.name}: up to date`];
      expect(lines.sort()).toEqual(want.sort());
    }
  });

  it('when a database is unreachable, then it exits non-zero naming the subgraph', async () => {
    const broken = { ...urls, postal: urls.postal.replace(/\/[^/]+$/, `/${prefix}_absent`) };
    await expect(migrate(broken, ['postal'])).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/^migrate: postal: database \S+_absent is not reachable/) });
  });
});
