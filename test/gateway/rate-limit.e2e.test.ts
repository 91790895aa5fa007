import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { createGateway, GatewayOptions, GatewayServer } from '../../gateway/gateway';
import { createRateLimiter, KEY_PREFIX, rateKey } from '../../gateway/rate-limit/rate-limiter';
import { devSigningSecret, loadConfig } from '../../subgraphs/kit/config';
import type { Identity } from '../../subgraphs/kit/identity';
import { ANONYMOUS } from '../../subgraphs/kit/identity';
import { createLogger, Logger } from '../../subgraphs/kit/logger';
import { SUBGRAPHS } from '../../subgraphs/registry';
import { capturingLogger, demoDatabaseUrls, RunningSubgraph, startSubgraph, tokenFor } from '../support/system';
import { freePort, until } from '../support/waiting';
import { ownRedis } from '../support/redis';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const LIMIT = 3;
const MESSAGE = 'too many requests: try again later';

interface Answer {
  status: number;
  retryAfter: string | null;
  body: any;
}

describe('the per-caller rate limit at the gateway', () => {
  let intake: RunningSubgraph;
  const gateways: GatewayServer[] = [];
  const redis = new Redis(REDIS_URL);
  /** The Redis keys of the callers this run made up: unique to it, deleted after it. */
  const keys: string[] = [];

  beforeAll(async () => {
    intake = await startSubgraph('intake', demoDatabaseUrls().intake);
  });
  afterAll(async () => {
    try {
      await Promise.all(gateways.map((g) => g.close()));
      await intake.server.close();
    } finally {
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
  });

  /** A gateway of its own over the intake subgraph (the departments are its), limiting to LIMIT a minute. */
  async function gateway(
    o: { redisUrl?: string; log?: Logger; perMinute?: number; rateLimits?: GatewayOptions['rateLimits']; trustedProxies?: string[] } = {},
  ): Promise<string> {
    const g = await createGateway({
      subgraphUrls: { intake: intake.url },
      signingSecrets: Object.fromEntries(SUBGRAPHS.map((s) => [s.name, devSigningSecret(s.name)])),
      auth: loadConfig({}).auth,
      rateLimitPerMinute: o.perMinute ?? LIMIT,
      rateLimits: o.rateLimits,
      trustedProxies: o.trustedProxies,
      redisUrl: o.redisUrl,
      log: o.log ?? createLogger('gateway', 'silent'),
    });
    gateways.push(g);
    return (await g.listen(0)).url;
  }

  function caller(): Identity {
    const identity: Identity = { subject: `rate-limit-test-${randomUUID()}`, role: 'CENTRE_STAFF' };
    keys.push(`${KEY_PREFIX}:${rateKey(identity, undefined)}`);
    return identity;
  }

  async function ask(url: string, as: Identity | null, query = '{ departments { code } }', headers: Record<string, string> = {}): Promise<Answer> {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(as ? { authorization: `Bearer ${await tokenFor(as)}` } : {}), ...headers },
      body: JSON.stringify({ query }),
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
  }

  function expectServed(a: Answer): void {
    expect(a.status).toBe(200);
    expect(a.body.errors).toBeUndefined();
    expect(a.body.data.departments.length).toBeGreaterThan(0);
  }

  function expectLimited(a: Answer): void {
    expect(a.status).toBe(429);
    expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(a.retryAfter)).toBeLessThanOrEqual(60);
    expect(a.retryAfter).toMatch(/^\d+$/);
    expect(a.body.data).toBeUndefined();
    expect(a.body.errors).toHaveLength(1);
    expect(a.body.errors[0].message).toBe(MESSAGE);
    expect(a.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(typeof a.body.errors[0].extensions.requestId).toBe('string');
    expect(Object.keys(a.body.errors[0].extensions).sort()).toEqual(['code', 'requestId']);
  }

  describe.each([
    ['in the gateway\'s process', undefined],
    ['in Redis', REDIS_URL],
  ])('counted %s', (_where, redisUrl) => {
    it('when a caller exceeds the limit, then it gets 429 with RATE_LIMITED and Retry-After, and another caller is unaffected', async () => {
      const url = await gateway({ redisUrl });
      const [hasty, other] = [caller(), caller()];
      for (let i = 0; i < LIMIT; i++) expectServed(await ask(url, hasty));
      expectLimited(await ask(url, hasty));
      expectLimited(await ask(url, hasty));
      expectServed(await ask(url, other));
    });
  });

  it('when two gateways share Redis, then a caller\'s requests through both count against one limit', async () => {
    const [one, two] = [await gateway({ redisUrl: REDIS_URL }), await gateway({ redisUrl: REDIS_URL })];
    const hasty = caller();
    expectServed(await ask(one, hasty));
    expectServed(await ask(two, hasty));
    expectServed(await ask(one, hasty));
    expectLimited(await ask(two, hasty));
    expectLimited(await ask(one, hasty));
    expect(Number(await redis.get(`${KEY_PREFIX}:${rateKey(hasty, undefined)}`))).toBeGreaterThan(LIMIT);
  });

  it('when two gateways count in their own processes, then each gives a caller the whole limit (the control for the shared count)', async () => {
    const [one, two] = [await gateway(), await gateway()];
    const hasty = caller();
    for (let i = 0; i < LIMIT; i++) expectServed(await ask(one, hasty));
    for (let i = 0; i < LIMIT; i++) expectServed(await ask(two, hasty));
    expectLimited(await ask(one, hasty));
  });

  it('when anonymous callers exceed the limit, then they are counted by address, apart from the callers with a token', async () => {
    const url = await gateway();
    for (let i = 0; i < LIMIT; i++) expectServed(await ask(url, null));
    expectLimited(await ask(url, null));
    expectServed(await ask(url, caller()));
  });

  // A code of the right form no dossier has: the lookup answers null, as for any wrong guess.
  const RECEIPT = '{ receipt(code: "000.00.16.H56-200401-9999", idNumber: "999999999999") { code } }';
  const RECEIPT_IN_FRAGMENT = '{ ...guess } fragment guess on Query { ... on Query { receipt(code: "000.00.16.H56-200401-9999", idNumber: "999999999999") { code } } }';
  function expectAnswered(a: Answer): void {
    expect(a.status).toBe(200);
    expect(a.body).toEqual({ data: { receipt: null } });
  }

  it('when the defaults hold, then an address gets 20 receipt lookups a minute, other anonymous calls and token holders are not limited', async () => {
    const url = await gateway({ perMinute: loadConfig({}).gateway.rateLimitPerMinute, rateLimits: loadConfig({}).gateway.rateLimits });
    for (let i = 0; i < 20; i++) expectAnswered(await ask(url, null, i % 2 ? RECEIPT : RECEIPT_IN_FRAGMENT));
    expectLimited(await ask(url, null, RECEIPT));
    expectLimited(await ask(url, null, RECEIPT_IN_FRAGMENT));
    for (let i = 0; i < 25; i++) expectServed(await ask(url, null));
    const staff = caller();
    for (let i = 0; i < 25; i++) expectAnswered(await ask(url, staff, RECEIPT));
  });

  it('when the gateway sits behind a trusted proxy, then each client named in X-Forwarded-For gets its own receipt quota', async () => {
    const url = await gateway({ perMinute: 0, rateLimits: { perRole: {}, receiptPerMinute: 2 }, trustedProxies: ['127.0.0.1', '::1'] });
    const from = (client: string) => ({ 'x-forwarded-for': client });
    for (let i = 0; i < 2; i++) expectAnswered(await ask(url, null, RECEIPT, from('198.51.100.1')));
    expectLimited(await ask(url, null, RECEIPT, from('198.51.100.1')));
    for (let i = 0; i < 2; i++) expectAnswered(await ask(url, null, RECEIPT, from('198.51.100.2')));
    // A client cannot slip past its quota by writing addresses of its own to the left of what the proxy appended.
    expectLimited(await ask(url, null, RECEIPT, { 'x-forwarded-for': '203.0.113.99, 198.51.100.1' }));
  });

  it('when no proxy is trusted, then X-Forwarded-For is ignored and a caller cannot buy a fresh quota by writing one', async () => {
    const url = await gateway({ perMinute: 0, rateLimits: { perRole: {}, receiptPerMinute: 2 } });
    for (let i = 0; i < 2; i++) expectAnswered(await ask(url, null, RECEIPT, { 'x-forwarded-for': `198.51.100.${10 + i}` }));
    expectLimited(await ask(url, null, RECEIPT, { 'x-forwarded-for': '198.51.100.20' }));
  });

  it('when a role has a limit, then each of its callers is held to it by their token, and other roles are not', async () => {
    const url = await gateway({ perMinute: 0, rateLimits: { perRole: { CITIZEN: LIMIT } } });
    const citizen = (): Identity => ({ subject: `rate-limit-citizen-${randomUUID()}`, role: 'CITIZEN', citizenId: '000000000000' });
    const [one, two] = [citizen(), citizen()];
    for (let i = 0; i < LIMIT; i++) expectServed(await ask(url, one));
    expectLimited(await ask(url, one));
    expectServed(await ask(url, two));
    const staff = caller();
    for (let i = 0; i < LIMIT * 3; i++) expectServed(await ask(url, staff));
  });

  it('when two gateways share Redis, then an address\'s receipt lookups through both count against one limit', async () => {
    const key = (address: string) => `${KEY_PREFIX}:receipt:${rateKey(ANONYMOUS, address)}`;
    const mine = [key('127.0.0.1'), key('::ffff:127.0.0.1')];
    await redis.del(...mine);
    keys.push(...mine);
    const limits = { perMinute: 0, rateLimits: { receiptPerMinute: LIMIT }, redisUrl: REDIS_URL };
    const [one, two] = [await gateway(limits), await gateway(limits)];
    expectAnswered(await ask(one, null, RECEIPT));
    expectAnswered(await ask(two, null, RECEIPT));
    expectAnswered(await ask(one, null, RECEIPT));
    expectLimited(await ask(two, null, RECEIPT));
    expectServed(await ask(two, null));
  });

  it('when the limit is 0, then there is no limiter: nothing is counted and Redis is never asked', async () => {
    const { log, lines } = capturingLogger();
    // A Redis that is not there: a limiter that tried it would say so.
    const limiter = createRateLimiter({ perMinute: 0, redisUrl: `redis://127.0.0.1:${await freePort()}`, log });
    for (let i = 0; i < 1000; i++) await limiter.admit(ANONYMOUS, '203.0.113.7');
    await limiter.close();
    expect(lines).toEqual([]);
  });

  it('when Redis stops answering, then each gateway limits callers on its own, says so once, and shares the count again when Redis is back', async () => {
    const port = await freePort();
    let own = await ownRedis(port);
    const { log, lines } = capturingLogger();
    const url = await gateway({ redisUrl: `redis://127.0.0.1:${port}`, log });
    const said = (msg: string) => lines.filter((l) => JSON.parse(l).msg === msg);
    try {
      expectServed(await ask(url, caller()));
      await own.stop();
      const hasty = caller();
      for (let i = 0; i < LIMIT; i++) expectServed(await ask(url, hasty));
      expectLimited(await ask(url, hasty));
      await until('the outage said', () => said('rate-limit counters unavailable: counted in this process until Redis answers').length > 0);
      expect(lines.join('\n')).not.toContain(`127.0.0.1:${port}`);

      own = await ownRedis(port);
      await until('the gateway back on Redis', () => said('rate-limit counters shared again').length === 1);
      const later = caller();
      expectServed(await ask(url, later));
      const back = new Redis(port, '127.0.0.1');
      try {
        expect(await back.get(`${KEY_PREFIX}:${rateKey(later, undefined)}`)).toBe('1');
      } finally {
        back.disconnect();
      }
      expect(said('rate-limit counters unavailable: counted in this process until Redis answers')).toHaveLength(1);
    } finally {
      await own.stop();
    }
  });
});
