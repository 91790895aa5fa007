import { randomBytes, randomUUID } from 'node:crypto';
import { devHandoverPublicKey } from '../../subgraphs/kit/messaging/handover.keys';
import Redis from 'ioredis';
import { Client } from 'pg';
import { devSigningSecret } from '../../subgraphs/kit/config';
import { createLogger, Logger } from '../../subgraphs/kit/logger';
import { createReplayGuard, NONCE_TTL_MS } from '../../subgraphs/kit/replay/replay-guard';
import { createSubgraphServer } from '../../subgraphs/kit/server';
import { signRequest } from '../../subgraphs/kit/signing';
import { subgraph } from '../../subgraphs/registry';
import { dropDatabases, TEST_SERVER, testDatabaseUrl, uniquePrefix } from '../support/databases';
import { capturingLogger, RunningSubgraph, STAFF, testPeers } from '../support/system';
import { freePort, until } from '../support/waiting';
import { ownRedis } from '../support/redis';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SERVICE_QUERY = JSON.stringify({ query: '{ _service { sdl } }' });

/** Transport's server on `databaseUrl`; its nonces in Redis when `redisUrl` is given. */
async function startTransport(databaseUrl: string, o: { redisUrl?: string; log?: Logger } = {}): Promise<RunningSubgraph> {
  const server = await createSubgraphServer(await subgraph('transport').load(), {
    databaseUrl,
    signingSecret: devSigningSecret('transport'),
    handoverPublicKeyOf: devHandoverPublicKey,
    peers: testPeers(),
    log: o.log ?? createLogger('test', 'silent'),
    redisUrl: o.redisUrl,
  });
  const { url } = await server.listen(0);
  return { server, url };
}

/** The headers of one signed call, as the gateway would sign it: sent again as they are, a replay. */
function signedHeaders(body = SERVICE_QUERY): Record<string, string> {
  return signRequest(devSigningSecret('transport'), { method: 'POST', path: '/graphql', body, identity: STAFF, requestId: randomUUID() });
}

async function send(to: RunningSubgraph, headers: Record<string, string>, body = SERVICE_QUERY): Promise<{ status: number; body: any }> {
  const res = await fetch(to.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, body: await res.json() };
}

const served = (r: { status: number; body: any }) => r.status === 200 && typeof r.body.data?._service?.sdl === 'string';

function expectRefused(r: { status: number; body: any }): void {
  expect(r.status).toBe(403);
  expect(r.body.errors[0].extensions.code).toBe('FORBIDDEN');
  expect(r.body.data).toBeUndefined();
}

function expectUnavailable(r: { status: number; body: any }): void {
  expect(r.status).toBe(503);
  expect(r.body.errors[0].extensions.code).toBe('UNAVAILABLE');
  expect(r.body.data).toBeUndefined();
}

const nonceOf = (headers: Record<string, string>) => headers['x-motcua-nonce'];
const linesSaying = (lines: string[], msg: string) => lines.filter((l) => JSON.parse(l).msg === msg);

describe('replay nonces shared by the replicas of a subgraph', () => {
  const prefix = uniquePrefix('replay');
  const databaseUrl = testDatabaseUrl(prefix, 'transport');
  const database = new URL(databaseUrl).pathname.slice(1);
  const redis = new Redis(REDIS_URL);
  const running: RunningSubgraph[] = [];
  const start = async (o?: Parameters<typeof startTransport>[1]) => {
    const s = await startTransport(databaseUrl, o);
    running.push(s);
    return s;
  };
  const stop = async (s: RunningSubgraph) => {
    running.splice(running.indexOf(s), 1);
    await s.server.close();
  };
  const admin = () => {
    const url = new URL(TEST_SERVER);
    url.pathname = '/postgres';
    return new Client({ connectionString: url.toString() });
  };

  afterAll(async () => {
    try {
      await Promise.all(running.map((s) => s.server.close()));
      // Every key this run wrote is under its own database's name.
      const keys = await redis.keys(`motcua:replay:${database}:*`);
      if (keys.length) await redis.del(...keys);
    } finally {
      redis.disconnect();
      await dropDatabases(prefix);
    }
  });

  describe.each([
    ['in its own database', undefined],
    ['in Redis', REDIS_URL],
  ])('kept %s', (_where, redisUrl) => {
    it('when a signed call is replayed to a second server of the same subgraph, then it is refused there and at the first, and also after a restart', async () => {
      const [a, b] = [await start({ redisUrl }), await start({ redisUrl })];
      const headers = signedHeaders();
      expect(served(await send(a, headers))).toBe(true);
      expectRefused(await send(b, headers));
      expectRefused(await send(a, headers));

      await stop(a);
      const restarted = await start({ redisUrl });
      expectRefused(await send(restarted, headers));
      // The control: a call signed afresh is served by both.
      expect(served(await send(restarted, signedHeaders()))).toBe(true);
      expect(served(await send(b, signedHeaders()))).toBe(true);

      const [row] = await b.server.db.query(`SELECT count(*)::int AS n FROM replay_nonce WHERE nonce = $1`, [nonceOf(headers)]);
      const key = await redis.pttl(`motcua:replay:${database}:${nonceOf(headers)}`);
      if (redisUrl) {
        // Only in Redis, where it expires with its signature.
        expect(row.n).toBe(0);
        expect(key).toBeGreaterThan(0);
        expect(key).toBeLessThanOrEqual(NONCE_TTL_MS);
      } else {
        expect(row.n).toBe(1);
        expect(key).toBe(-2);
      }
      await Promise.all([stop(b), stop(restarted)]);
    });
  });

  it('when many calls claim at once, the same nonce among them more than once, then each nonce is fresh exactly once and all are stored', async () => {
    const s = await start();
    const guard = createReplayGuard({ db: s.server.db, log: createLogger('test', 'silent') });
    try {
      const distinct = Array.from({ length: 40 }, () => randomBytes(16).toString('hex'));
      const offered = [...distinct, ...distinct.slice(0, 10), distinct[0]];
      const answers = await Promise.all(offered.map((n) => guard.claim(n)));
      const freshOnes = offered.filter((_, i) => answers[i]);
      expect(freshOnes.sort()).toEqual([...distinct].sort());
      const [row] = await s.server.db.query(`SELECT count(*)::int AS n FROM replay_nonce WHERE nonce = ANY($1)`, [distinct]);
      expect(row.n).toBe(distinct.length);
      expect(await Promise.all(distinct.slice(0, 3).map((n) => guard.claim(n)))).toEqual([false, false, false]);
    } finally {
      await guard.close();
      await stop(s);
    }
  });

  it('when nonces in the database have expired, then the sweep deletes them and keeps the live ones', async () => {
    const s = await start();
    const guard = createReplayGuard({ db: s.server.db, log: createLogger('test', 'silent'), sweepEveryMs: 20 });
    try {
      const nonces = (n: number) => Array.from({ length: n }, () => randomBytes(16).toString('hex'));
      const expired = nonces(50);
      const live = nonces(5);
      const longAgo = Date.now() - 10 * 60_000;
      for (const n of expired) expect(await guard.claim(n, longAgo)).toBe(true);
      for (const n of live) expect(await guard.claim(n)).toBe(true);
      const count = async (ids: string[]) =>
        (await s.server.db.query(`SELECT count(*)::int AS n FROM replay_nonce WHERE nonce = ANY($1)`, [ids]))[0].n as number;
      await until('the expired nonces swept', async () => (await count(expired)) === 0);
      expect(await count(live)).toBe(5);
      // Live ones are still refused a second time.
      expect(await guard.claim(live[0])).toBe(false);
    } finally {
      await guard.close();
      await stop(s);
    }
  });

  it('when the database stops answering, then signed calls are refused, the outage is logged once, and calls are served again when it is back', async () => {
    const { log, lines } = capturingLogger();
    const s = await start({ log });
    const pg = admin();
    await pg.connect();
    try {
      expect(served(await send(s, signedHeaders()))).toBe(true);
      await pg.query(`ALTER DATABASE "${database}" WITH ALLOW_CONNECTIONS false`);
      await pg.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [database]);
      for (let i = 0; i < 3; i++) expectUnavailable(await send(s, signedHeaders()));
      expect(linesSaying(lines, 'replay store unavailable: signed calls are refused until it answers')).toHaveLength(1);
      expect(JSON.parse(linesSaying(lines, 'replay store unavailable: signed calls are refused until it answers')[0]).store).toBe('postgres');

      await pg.query(`ALTER DATABASE "${database}" WITH ALLOW_CONNECTIONS true`);
      await until('a signed call served again', async () => served(await send(s, signedHeaders())));
      expect(linesSaying(lines, 'replay store answers again')).toHaveLength(1);
      expect(linesSaying(lines, 'replay store unavailable: signed calls are refused until it answers')).toHaveLength(1);
    } finally {
      await pg.query(`ALTER DATABASE "${database}" WITH ALLOW_CONNECTIONS true`);
      await pg.end();
      await stop(s);
    }
  });

  it('when Redis stops answering, then signed calls are refused, the outage is logged once, and calls are served again when it is back', async () => {
    const port = await freePort();
    let own = await ownRedis(port);
    const { log, lines } = capturingLogger();
    const s = await start({ log, redisUrl: `redis://127.0.0.1:${port}` });
    try {
      expect(served(await send(s, signedHeaders()))).toBe(true);
      await own.stop();
      for (let i = 0; i < 3; i++) expectUnavailable(await send(s, signedHeaders()));
      const outage = linesSaying(lines, 'replay store unavailable: signed calls are refused until it answers');
      expect(outage).toHaveLength(1);
      expect(JSON.parse(outage[0]).store).toBe('redis');

      own = await ownRedis(port);
      await until('a signed call served again', async () => served(await send(s, signedHeaders())));
      expect(linesSaying(lines, 'replay store answers again')).toHaveLength(1);
      expect(linesSaying(lines, 'replay store unavailable: signed calls are refused until it answers')).toHaveLength(1);
      // Nothing of Redis's own words, address or port reaches the log.
      expect(lines.join('\n')).not.toContain(`127.0.0.1:${port}`);
    } finally {
      await stop(s);
      await own.stop();
    }
  });
});
