import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource, openDatabase } from '../../subgraphs/kit/data-source';
import type { Identity } from '../../subgraphs/kit/identity';
import { onceFor } from '../../subgraphs/kit/messaging/idempotency';
import { Messaging1795699190627 } from '../../subgraphs/kit/messaging/migrations/1795699190627-messaging';
import { dropDatabases, testDatabaseUrl, uniquePrefix } from '../support/databases';
import { messagingDatabase } from './outbox.harness';

/** Idempotency keys on real PostgreSQL: kept whole (hashed), scoped to the caller and the operation. */
describe('idempotency keys', () => {
  const prefix = uniquePrefix('idempotency');
  const STAFF: Identity = { subject: 'staff-1', role: 'CENTRE_STAFF' };
  let db: DataSource;
  beforeAll(async () => {
    db = await messagingDatabase(prefix, 'intake');
  });
  afterAll(async () => {
    await db?.destroy();
    await dropDatabases(prefix);
  });

  let runs = 0;
  /** Runs a mutation under a key; answers what it returned and whether it ran (or was replayed). */
  const mutate = (on: DataSource, key: string, input: unknown, who = STAFF, operation = 'receiveDossier') =>
    on.transaction(async (m) => {
      let ran = false;
      const result = await onceFor(
        m,
        who,
        key,
        operation,
        input,
        async () => {
          ran = true;
          runs++;
          return { result: `made for ${JSON.stringify(input)}`, ref: { input } };
        },
        async (ref) => `replayed ${JSON.stringify(ref.input)}`,
      );
      return { result, ran };
    });
  const codeOf = (p: Promise<unknown>) => p.then(() => 'no error', (e) => e.extensions?.code);

  it('when two keys of 100 characters share their first 92 (so `subject|key` shares 100), then they are two mutations', async () => {
    const common = 'k'.repeat(92);
    const [a, b] = [`${common}AAAAAAAA`, `${common}BBBBBBBB`];
    expect(`${STAFF.subject}|${a}`.slice(0, 100)).toBe(`${STAFF.subject}|${b}`.slice(0, 100));
    expect(await mutate(db, a, { n: 1 })).toEqual({ result: 'made for {"n":1}', ran: true });
    expect(await mutate(db, b, { n: 2 })).toEqual({ result: 'made for {"n":2}', ran: true });
    expect(await mutate(db, a, { n: 1 })).toEqual({ result: 'replayed {"n":1}', ran: false });
    expect(await mutate(db, b, { n: 2 })).toEqual({ result: 'replayed {"n":2}', ran: false });
  });

  it('when a key is used again with another input, then it is CONFLICT and nothing runs; with the same input, the first result comes back', async () => {
    const key = `reuse-${'x'.repeat(90)}`;
    expect((await mutate(db, key, { n: 1 })).ran).toBe(true);
    const before = runs;
    expect(await codeOf(mutate(db, key, { n: 2 }))).toBe('CONFLICT');
    expect(runs).toBe(before);
    expect(await mutate(db, key, { n: 1 })).toEqual({ result: 'replayed {"n":1}', ran: false });
    // Another caller's key of the same spelling is its own.
    expect((await mutate(db, key, { n: 2 }, { subject: 'staff-2', role: 'CENTRE_STAFF' })).ran).toBe(true);
  });

  it('when keys were stored before the upgrade (as `subject|key`), then after its migration the same key and input are replayed, and another input is CONFLICT', async () => {
    const url = testDatabaseUrl(prefix, 'police');
    const old = await openDatabase(createDataSource({ url, entities: [], migrations: [Messaging1795699190627] }), url);
    const input = { code: '000.00.16.H56-200401-0001' };
    await old.query(`INSERT INTO idempotency_key (key, operation, subject, request_hash, response) VALUES ($1, 'receiveDossier', $2, $3, $4)`, [
      `${STAFF.subject}|retry-after-upgrade`,
      STAFF.subject,
      createHash('sha256').update(JSON.stringify(input)).digest('hex'),
      JSON.stringify({ input }),
    ]);
    await old.destroy();
    const upgraded = await messagingDatabase(prefix, 'police');
    try {
      expect(await mutate(upgraded, 'retry-after-upgrade', input)).toEqual({ result: `replayed ${JSON.stringify(input)}`, ran: false });
      expect(await codeOf(mutate(upgraded, 'retry-after-upgrade', { code: 'other' }))).toBe('CONFLICT');
    } finally {
      await upgraded.destroy();
    }
  });
});
