import type { DataSource } from 'typeorm';
import { createDataSource, openDatabase } from '../../subgraphs/kit/data-source';
import { Messaging1795699190627 } from '../../subgraphs/kit/messaging/migrations/1795699190627-messaging';
import { BREAKER_FAILURES, BREAKER_FIRST_PROBE_MS } from '../../subgraphs/kit/messaging/delivery/destination.lane';
import type { OutboxDispatcher } from '../../subgraphs/kit/messaging/outbox';
import { dropDatabases, testDatabaseUrl, uniquePrefix } from '../support/databases';
import { capturingLogger } from '../support/system';
import { until } from '../support/waiting';
import { dispatcher, messagingDatabase, note, peersAt, Receiver, startDeadEnd, startReceiver } from './outbox.harness';

/** Outbox delivery against real PostgreSQL and real HTTP receivers (the kit's POST /handover and its inbox). */
describe('outbox delivery', () => {
  const prefix = uniquePrefix('outbox');
  let sender: DataSource;
  let transport: Receiver;
  let police: Receiver;
  const running: OutboxDispatcher[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    sender = await messagingDatabase(prefix, 'intake');
    transport = await startReceiver(prefix, 'transport', ['intake', 'postal']);
    police = await startReceiver(prefix, 'police', ['intake']);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((d) => d.stop()));
    for (const c of cleanups.splice(0)) await c();
    await sender.query(`TRUNCATE outbox_message`);
    transport.refuse = police.refuse = () => false;
  });
  afterAll(async () => {
    await transport?.close();
    await police?.close();
    await sender?.destroy();
    await dropDatabases(prefix);
  });

  const start = (d: OutboxDispatcher) => {
    running.push(d);
    d.start();
    return d;
  };
  const rows = (sql: string, params: unknown[] = []) => sender.query(sql, params);
  const appliedOf = async (r: Receiver, dossiers: string[]) => (await r.applied()).filter((a) => dossiers.includes(a.dossierCode));
  const numbersBy = (applied: { dossierCode: string; n: number }[]) => {
    const by: Record<string, number[]> = {};
    for (const a of applied) (by[a.dossierCode] ??= []).push(a.n);
    return by;
  };
  const dossiers = (label: string, n: number) => Array.from({ length: n }, (_, i) => `${label}-${i}`);

  it('when one destination is dead with 600 messages queued, then another destination gets all of its messages while the dead one\'s stay pending, and the dead one is sent no more than the breaker\'s probes', async () => {
    const dead = await startDeadEnd();
    cleanups.push(() => dead.close());
    const live = dossiers('fair', 50);
    await note(sender, 'industry-trade', dossiers('stuck', 600));
    const began = Date.now();
    const { log, lines } = capturingLogger();
    const d = start(dispatcher('intake', sender, peersAt({ 'industry-trade': dead.url, transport: transport.url }), {}, log));
    await until('the breaker of the dead destination to open', () => dead.hits >= BREAKER_FAILURES);
    await note(sender, 'transport', live);
    d.kick();

    await until('every message to the live destination applied', async () => (await appliedOf(transport, live)).length === 50);
    const elapsed = Date.now() - began;
    const [stuck] = await rows(`SELECT count(*) FILTER (WHERE delivered_at IS NULL AND dead_at IS NULL)::int AS pending, sum(attempts)::int AS attempts
                                  FROM outbox_message WHERE destination = 'industry-trade'`);
    expect(stuck.pending).toBe(600);
    expect(stuck.attempts).toBe(dead.hits);
    // Until it opens, at most `concurrency` are in flight; then a probe at a time, each wait at least twice the last.
    const probes = Math.floor(Math.log2(elapsed / (BREAKER_FIRST_PROBE_MS / 2) + 1));
    expect(dead.hits).toBeLessThanOrEqual(BREAKER_FAILURES + 4 - 1 + probes);
    expect(await rows(`SELECT id FROM outbox_message WHERE destination = 'transport' AND delivered_at IS NULL`)).toEqual([]);
    // Said once, however many probes fail.
    await until('a failed probe', () => dead.hits > BREAKER_FAILURES + 4 - 1 || dead.hits > stuck.attempts);
    const paused = lines.filter((l) => l.includes('paused')).map((l) => JSON.parse(l));
    expect(paused).toEqual([expect.objectContaining({ destination: 'industry-trade', level: 40 })]);
  });

  it('when one destination hangs (never answers) with 600 messages queued, then the messages to another destination, written after them, are all delivered while none of the hanging one\'s is', async () => {
    const hanging = await startDeadEnd({ hang: true });
    cleanups.push(() => hanging.close());
    await note(sender, 'industry-trade', dossiers('hung', 600));
    const live = dossiers('beside-hung', 50);
    await note(sender, 'transport', live);
    start(dispatcher('intake', sender, peersAt({ 'industry-trade': hanging.url, transport: transport.url }), { timeoutMs: 2_000 }));
    await until('every message to the live destination applied', async () => (await appliedOf(transport, live)).length === 50);
    const [{ delivered }] = await rows(`SELECT count(*)::int AS delivered FROM outbox_message WHERE destination = 'industry-trade' AND delivered_at IS NOT NULL`);
    expect(delivered).toBe(0);
    expect(hanging.hits).toBeGreaterThan(0);
  });

  it('when a message is not due yet, then it is not attempted, nor the later ones of its dossier, while others are delivered', async () => {
    const [later] = await note(sender, 'transport', ['due-later'], { nextAttemptAt: new Date(Date.now() + 3_600_000).toISOString() });
    await note(sender, 'transport', ['due-later', 'due-now']);
    const hits = transport.hits;
    start(dispatcher('intake', sender, peersAt({ transport: transport.url })));
    await until('the due message applied', async () => (await appliedOf(transport, ['due-now'])).length === 1);
    const [{ attempts }] = await rows(`SELECT attempts FROM outbox_message WHERE id = $1`, [later]);
    expect(attempts).toBe(0);
    expect(await appliedOf(transport, ['due-later'])).toEqual([]);
    expect(transport.hits - hits).toBe(1);
  });

  it('when the first of a dossier\'s three messages fails twice, then all three still arrive in order', async () => {
    const [first] = await note(sender, 'transport', ['ordered', 'ordered', 'ordered']);
    const [{ id }] = await rows(`SELECT message_id AS id FROM outbox_message WHERE id = $1`, [first]);
    let refused = 0;
    transport.refuse = (m) => m.id === id && refused++ < 2;
    start(dispatcher('intake', sender, peersAt({ transport: transport.url })));
    await until('the three applied', async () => (await appliedOf(transport, ['ordered'])).length === 3);
    expect((await appliedOf(transport, ['ordered'])).map((a) => a.n)).toEqual([1, 2, 3]);
    expect(refused).toBe(3);
    expect((await rows(`SELECT attempts FROM outbox_message WHERE id = $1`, [first]))[0].attempts).toBe(2);
  });

  it('when two dispatchers (two replicas) deliver one outbox to a receiver refusing one request in ten, then every message is applied exactly once and each dossier in order, and both took part', async () => {
    const codes = dossiers('replicas', 20);
    const order = Array.from({ length: 10 }, () => codes).flat();
    await note(sender, 'transport', order);
    let refused = 0;
    let seen = 0;
    transport.refuse = () => ++seen % 10 === 0 && ++refused > 0;
    const hits = transport.hits;
    const used = [0, 0];
    const counted = (i: number) => ({ baseUrl: (name: string) => (used[i]++, name === 'transport' ? transport.url : undefined), privateKey: peersAt({}).privateKey });
    start(dispatcher('intake', sender, counted(0)));
    start(dispatcher('intake', sender, counted(1)));
    await until('all 200 applied', async () => (await appliedOf(transport, codes)).length >= 200, 60_000);

    const applied = await appliedOf(transport, codes);
    expect(applied).toHaveLength(200);
    expect(new Set(applied.map((a) => a.messageId)).size).toBe(200);
    for (const [code, ns] of Object.entries(numbersBy(applied))) {
      expect([code, ns]).toEqual([code, [...ns].sort((a, b) => a - b)]);
    }
    // Each request the receiver answered 200 applied a message: none was sent twice at once by the two replicas.
    expect(transport.hits - hits).toBe(200 + refused);
    expect(used[0]).toBeGreaterThan(0);
    expect(used[1]).toBeGreaterThan(0);
  });

  it('when another replica holds a message\'s lease, then it and the later ones of its dossier wait; once the lease has run out (that replica died), they are delivered in order', async () => {
    const [held] = await note(sender, 'transport', ['leased', 'leased', 'lease-free']);
    await rows(`UPDATE outbox_message SET lease_until = now() + interval '1 hour', lease_token = gen_random_uuid() WHERE id = $1`, [held]);
    const d = start(dispatcher('intake', sender, peersAt({ transport: transport.url })));
    await until('the free message applied', async () => (await appliedOf(transport, ['lease-free'])).length === 1);
    expect(await appliedOf(transport, ['leased'])).toEqual([]);
    await rows(`UPDATE outbox_message SET lease_until = now() - interval '1 second' WHERE id = $1`, [held]);
    d.kick();
    await until('the two applied', async () => (await appliedOf(transport, ['leased'])).length === 2);
    expect((await appliedOf(transport, ['leased'])).map((a) => a.n)).toEqual([1, 2]);
  });

  it('when a message fails more often than the limit, then it is dead, logged once without its payload, and the later ones of its dossier wait; revived, all go in order', async () => {
    const { log, lines } = capturingLogger();
    const ids = await note(sender, 'transport', ['doomed', 'doomed', 'doomed', 'bystander']);
    await rows(`UPDATE outbox_message SET payload = payload || '{"fullName": "Trần Thị Bí Mật"}' WHERE id = ANY($1)`, [ids]);
    const [{ id: firstId }] = await rows(`SELECT message_id AS id FROM outbox_message WHERE id = $1`, [ids[0]]);
    transport.refuse = (m) => m.id === firstId;
    const d = start(dispatcher('intake', sender, peersAt({ transport: transport.url }), { maxAttempts: 3 }, log));

    const [dead] = await until('the first message dead', async () => {
      const found = await rows(`SELECT attempts, last_error AS "lastError" FROM outbox_message WHERE id = $1 AND dead_at IS NOT NULL`, [ids[0]]);
      return found.length ? found : undefined;
    });
    expect(dead).toEqual({ attempts: 3, lastError: 'answered 503' });
    await until('the bystander applied', async () => (await appliedOf(transport, ['bystander'])).length === 1);
    expect(await appliedOf(transport, ['doomed'])).toEqual([]);
    expect(await rows(`SELECT attempts FROM outbox_message WHERE id = ANY($1) AND delivered_at IS NULL AND dead_at IS NULL`, [ids.slice(1, 3)])).toEqual([{ attempts: 0 }, { attempts: 0 }]);
    const deadLines = lines.filter((l) => l.includes('dead-lettered'));
    expect(deadLines).toHaveLength(1);
    expect(JSON.parse(deadLines[0])).toMatchObject({ destination: 'transport', type: 'NOTE', messageId: firstId, attempts: 3 });
    expect(lines.join('\n')).not.toContain('Bí Mật');

    transport.refuse = () => false;
    await rows(`UPDATE outbox_message SET dead_at = NULL, attempts = 0, next_attempt_at = now(), last_error = NULL WHERE id = $1`, [ids[0]]);
    d.kick();
    await until('the three applied', async () => (await appliedOf(transport, ['doomed'])).length === 3);
    expect((await appliedOf(transport, ['doomed'])).map((a) => a.n)).toEqual([1, 2, 3]);
    expect(await d.idle(1_000)).toBe(true);
  });

  it('when a message older than the age limit fails, or waits for a destination that does not answer, then it is dead', async () => {
    const dead = await startDeadEnd();
    cleanups.push(() => dead.close());
    const [old] = await note(sender, 'transport', ['aged']);
    const unanswered = await note(sender, 'industry-trade', dossiers('aged-unanswered', 12));
    await rows(`UPDATE outbox_message SET created_at = now() - interval '2 hours'`);
    transport.refuse = (m) => m.dossierCode === 'aged';
    const d = start(dispatcher('intake', sender, peersAt({ transport: transport.url, 'industry-trade': dead.url }), { maxAgeMs: 3_600_000 }));
    await until('the aged message dead', async () => (await rows(`SELECT 1 FROM outbox_message WHERE id = $1 AND dead_at IS NOT NULL`, [old])).length === 1);
    expect((await rows(`SELECT attempts FROM outbox_message WHERE id = $1`, [old]))[0].attempts).toBe(1);
    // Most were never attempted (the breaker opened), yet none is left pending.
    await until('all twelve dead', async () => (await rows(`SELECT 1 FROM outbox_message WHERE id = ANY($1) AND dead_at IS NOT NULL`, [unanswered])).length === 12);
    expect(dead.hits).toBeLessThan(12);
    expect(await d.idle(1_000)).toBe(true);
  });

  it('when a sender is restored from an older backup (its row ids handed out again), then the receiver applies its new messages', async () => {
    const name = new URL(testDatabaseUrl(prefix, 'postal')).pathname.slice(1);
    const backup = `${name}_backup`;
    await (await messagingDatabase(prefix, 'postal')).destroy();
    await sender.query(`CREATE DATABASE "${backup}" TEMPLATE "${name}"`);
    cleanups.push(() => sender.query(`DROP DATABASE IF EXISTS "${backup}"`));
    const send = async (label: string) => {
      const db = await messagingDatabase(prefix, 'postal');
      try {
        const ids = await note(db, 'transport', [label, label]);
        const d = dispatcher('postal', db, peersAt({ transport: transport.url }));
        d.start();
        expect(await d.idle(20_000)).toBe(true);
        await d.stop();
        return ids;
      } finally {
        await db.destroy();
      }
    };

    const before = await send('sent-before-restore');
    await sender.query(`DROP DATABASE "${name}" WITH (FORCE)`);
    await sender.query(`CREATE DATABASE "${name}" TEMPLATE "${backup}"`);
    const after = await send('sent-after-restore');

    expect(after).toEqual(before);
    const applied = (await transport.applied()).filter((a) => a.source === 'postal');
    expect(applied.map((a) => [a.dossierCode, a.n])).toEqual([
      ['sent-before-restore', 1],
      ['sent-before-restore', 2],
      ['sent-after-restore', 1],
      ['sent-after-restore', 2],
    ]);
  });

  it('when messages written before the upgrade were applied under their old ids and not yet acknowledged, then after the migration they are not applied again, and the rest arrive once, in order', async () => {
    const before = async (name: string) => {
      const url = testDatabaseUrl(prefix, name);
      return openDatabase(createDataSource({ url, entities: [], migrations: [Messaging1795699190627] }), url);
    };
    const oldSender = await before('legacy_sender');
    await oldSender.query(`INSERT INTO outbox_message (destination, dossier_code, type, payload) VALUES
      ('legacy', 'upgraded', 'NOTE', '{"n": 1}'), ('legacy', 'upgraded', 'NOTE', '{"n": 2}')`);
    await oldSender.destroy();
    // The receiver applied the first (its id in the inbox, its effect done); the acknowledgement never came back.
    const oldReceiver = await before('legacy');
    await oldReceiver.query(`INSERT INTO inbox_message (message_id, source, type) VALUES ('intake:1', 'intake', 'NOTE')`);
    await oldReceiver.destroy();

    const upgraded = await messagingDatabase(prefix, 'legacy_sender');
    cleanups.push(() => upgraded.destroy());
    const receiver = await startReceiver(prefix, 'legacy', ['intake']);
    cleanups.push(() => receiver.close());
    await receiver.db.query(`INSERT INTO applied (source, message_id, dossier_code, n) VALUES ('intake', 'intake:1', 'upgraded', 1)`);
    await note(upgraded, 'legacy', ['upgraded'], { from: 3 });

    const d = start(dispatcher('intake', upgraded, peersAt({ legacy: receiver.url })));
    expect(await d.idle(20_000)).toBe(true);
    const applied = await receiver.applied();
    expect(applied.map((a) => a.n)).toEqual([1, 2, 3]);
    expect(applied.map((a) => a.messageId)).toEqual(['intake:1', 'intake:2', expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)]);
    const keys = await receiver.db.query(`SELECT source, message_id AS "messageId" FROM inbox_message ORDER BY received_at, message_id`);
    expect(keys).toHaveLength(3);
    expect(keys.slice(0, 2)).toEqual([{ source: 'intake', messageId: 'intake:1' }, { source: 'intake', messageId: 'intake:2' }]);
  });
});
