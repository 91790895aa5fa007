import 'reflect-metadata';
import { devHandoverPrivateKey, devHandoverPublicKey } from '../subgraphs/kit/messaging/handover.keys';
import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import Redis from 'ioredis';
import { Client } from 'pg';
import { Pool } from 'undici';
import { createRateLimiter, KEY_PREFIX, rateKey } from '../gateway/rate-limit/rate-limiter';
import { devSigningSecret, withDatabase } from '../subgraphs/kit/config';
import { createLogger } from '../subgraphs/kit/logger';
import { PostgresNonceStore } from '../subgraphs/kit/replay/postgres.store';
import { createReplayGuard, NONCE_TTL_MS } from '../subgraphs/kit/replay/replay-guard';
import { createSubgraphServer, SubgraphServer } from '../subgraphs/kit/server';
import { NonceCache, NonceStore, signRequest } from '../subgraphs/kit/signing';
import { subgraph } from '../subgraphs/registry';

/**
 * node dist/scripts/bench-replay.js [--runs 5000]: what the shared state of replicas costs per request. For each
 * nonce store (in process, PostgreSQL, Redis): one claim, alone and 16 at a time, and a whole signed call to a
 * subgraph over HTTP (`{ __typename }`, so that little else is measured); the sweep of a minute of expired nonces;
 * and the gateway's rate limiter per request (off, in process, Redis). PostgreSQL at DATABASE_URL (default the
 * local server), Redis at REDIS_URL (default 127.0.0.1:6379); its own database and keys, removed afterwards.
 */
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 5000);
const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const database = `motcua_bench_replay_${process.pid}`;
const databaseUrl = withDatabase(server, database);
const log = createLogger('bench', 'silent', new Writable({ write: (_c, _e, done) => done() }));
const nonce = () => randomBytes(16).toString('hex');

function ms(samples: number[], q: number): string {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(3);
}

/** Latency of `work` run `runs` times one after another, then throughput with `concurrency` at once. */
async function measure(name: string, work: () => Promise<unknown>, concurrency = 16): Promise<void> {
  for (let i = 0; i < Math.min(500, runs); i++) await work();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await work();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const started = process.hrtime.bigint();
  let left = runs;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (left-- > 0) await work();
  }));
  const perSecond = runs / (Number(process.hrtime.bigint() - started) / 1e9);
  const mean = samples.reduce((s, x) => s + x, 0) / samples.length;
  console.log(`| ${name} | ${runs} | ${ms(samples, 0.5)} | ${ms(samples, 0.95)} | ${mean.toFixed(3)} | ${Math.round(perSecond)} |`);
}

const identities = Array.from({ length: 100 }, (_, i) => ({ subject: `bench-${process.pid}-${i}`, role: 'CENTRE_STAFF' as const }));

async function main(): Promise<void> {
  const servers: SubgraphServer[] = [];
  const start = async (redis?: string) => {
    const s = await createSubgraphServer(await subgraph('transport').load(), {
      databaseUrl,
      signingSecret: devSigningSecret('transport'),
      handoverPublicKeyOf: devHandoverPublicKey,
      peers: { baseUrl: () => undefined, privateKey: devHandoverPrivateKey },
      log,
      redisUrl: redis,
    });
    servers.push(s);
    return { s, url: (await s.listen(0)).url };
  };
  const redis = new Redis(redisUrl);
  try {
    const [onPostgres, onRedis] = [await start(), await start(redisUrl)];
    const db = onPostgres.s.db;

    console.log(`\nOne claim (ms), ${runs} runs one after another, then the same number 16 at a time\n`);
    console.log('| store | runs | p50 | p95 | mean | claims/s at 16 |\n|---|---|---|---|---|---|');
    const stores: [string, NonceStore & { close?(): Promise<void> }][] = [
      ['in process (NonceCache)', new NonceCache()],
      ['PostgreSQL (replay_nonce, commit without WAL flush)', createReplayGuard({ db, log })],
      ['Redis (SET NX PX)', createReplayGuard({ db, redisUrl, log })],
    ];
    for (const [name, store] of stores) await measure(name, async () => store.claim(nonce()));
    // What the claim would cost committed the usual way: the reason it is not.
    await measure('PostgreSQL, waiting for the WAL flush (not used)', () =>
      db.query(`INSERT INTO replay_nonce (nonce, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`, [nonce(), new Date(Date.now() + NONCE_TTL_MS)]),
    );
    for (const [, store] of stores) await store.close?.();

    console.log(`\nA signed call to a subgraph over HTTP, { __typename } (ms)\n`);
    console.log('| nonces | runs | p50 | p95 | mean | calls/s at 16 |\n|---|---|---|---|---|---|');
    const body = JSON.stringify({ query: '{ __typename }' });
    for (const [name, target] of [['PostgreSQL', onPostgres], ['Redis', onRedis]] as const) {
      const u = new URL(target.url);
      const pool = new Pool(u.origin, { connections: 32 });
      await measure(name, async () => {
        const headers = signRequest(devSigningSecret('transport'), { method: 'POST', path: u.pathname, body, identity: { subject: 'bench', role: 'SERVICE' }, requestId: randomUUID() });
        const res = await pool.request({ method: 'POST', path: u.pathname, headers: { 'content-type': 'application/json', ...headers }, body });
        await res.body.text();
        if (res.statusCode !== 200) throw new Error(`answered ${res.statusCode}`);
      });
      await pool.close();
    }
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM replay_nonce`);
    console.log(`\nrows in replay_nonce after the runs: ${n}`);

    // A minute of nonces at 1,000 calls a second, all expired: what one sweep deletes, in batches of 5,000.
    await db.query(`TRUNCATE replay_nonce`);
    await db.query(`INSERT INTO replay_nonce SELECT md5(random()::text || g), now() - interval '1 minute' FROM generate_series(1, 60000) g`);
    await db.query(`INSERT INTO replay_nonce SELECT md5(random()::text || g), now() + interval '2 minutes' FROM generate_series(1, 120000) g`);
    await db.query(`ANALYZE replay_nonce`);
    const [plan] = await db.query(`EXPLAIN (FORMAT JSON) SELECT nonce FROM replay_nonce WHERE expires_at < now() LIMIT 5000 FOR UPDATE SKIP LOCKED`);
    const store = new PostgresNonceStore(db, NONCE_TTL_MS, 3_600_000);
    const t = process.hrtime.bigint();
    const deleted = await store.sweep();
    const sweptMs = Number(process.hrtime.bigint() - t) / 1e6;
    await store.close();
    const scan = JSON.stringify(plan['QUERY PLAN']).match(/"Node Type":"(Index Scan|Index Only Scan|Bitmap Index Scan|Seq Scan)"/)?.[1];
    console.log(`sweep of 60,000 expired nonces among 180,000: ${deleted} deleted in ${sweptMs.toFixed(0)} ms (${scan} for each batch)`);

    console.log(`\nThe gateway's rate limiter, per request (ms)\n`);
    console.log('| counters | runs | p50 | p95 | mean | admissions/s at 16 |\n|---|---|---|---|---|---|');
    let next = 0;
    const caller = () => identities[next++ % identities.length];
    for (const [name, limiter] of [
      ['off (RATE_LIMIT_PER_MINUTE=0)', createRateLimiter({ perMinute: 0, log })],
      ['in process', createRateLimiter({ perMinute: 1e9, log })],
      ['Redis', createRateLimiter({ perMinute: 1e9, redisUrl, log })],
    ] as const) {
      // Until Redis is connected the limiter counts in memory: the runs start once it is.
      if (name === 'Redis') await new Promise((r) => setTimeout(r, 200));
      await measure(name, () => limiter.admit(caller(), '127.0.0.1'));
      await limiter.close();
    }
    const counted = await Promise.all(identities.map((i) => redis.get(`${KEY_PREFIX}:${rateKey(i, undefined)}`)));
    console.log(`\nrequests counted in Redis: ${counted.reduce((s, c) => s + Number(c ?? 0), 0)}`);
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    let cursor = '0';
    do {
      const [after, keys] = await redis.scan(cursor, 'MATCH', `motcua:replay:${database}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = after;
    } while (cursor !== '0');
    await redis.del(...identities.map((i) => `${KEY_PREFIX}:${rateKey(i, undefined)}`));
    redis.disconnect();
    const admin = new Client({ connectionString: withDatabase(server, 'postgres') });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
