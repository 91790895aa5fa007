import { createHash } from 'node:crypto';
import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import Redis from 'ioredis';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Identity } from '../../subgraphs/kit/identity';
import type { Logger } from '../../subgraphs/kit/logger';

export interface RateLimiter {
  /** Resolves when the caller may go on; throws a RATE_LIMITED error (HTTP 429) when over its limit. */
  admit(identity: Identity, address: string | undefined): Promise<void>;
  close(): Promise<void>;
}

const WINDOW_SECONDS = 60;
export const KEY_PREFIX = 'motcua:rate';
/** A Redis slower than this is taken for down: the request is counted in this process instead. */
const REDIS_TIMEOUT_MS = 500;

const ADMITTED = Promise.resolve();
const UNLIMITED: RateLimiter = { admit: () => ADMITTED, close: async () => {} };

/**
 * Whom a count belongs to: the verified caller (role and subject), or for anonymous callers the address they
 * connect from. Hashed, so neither a subject nor an address is stored in Redis.
 */
export function rateKey(identity: Identity, address: string | undefined): string {
  const who = identity.role === 'ANONYMOUS' ? `address|${address ?? 'unknown'}` : `${identity.role}|${identity.subject}`;
  return createHash('sha256').update(who).digest('base64url');
}

function rateLimited(msBeforeNext: number): GraphQLError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  // Apollo answers with the status and headers in `http`, the headers as a Map, which graphql-yoga's typing of the
  // extension (a record) would refuse.
  const extensions: Record<string, unknown> = { code: 'RATE_LIMITED', http: { status: 429, headers: new HeaderMap([['retry-after', String(seconds)]]) } };
  return new GraphQLError('too many requests: try again later', { extensions });
}

/** Redis for the counters, saying once that it was lost and once that it is back; never queueing a command. */
function countersIn(url: string, log: Logger): { client: Redis; close(): Promise<void> } {
  const client = new Redis(url, {
    connectionName: 'motcua-rate-limit',
    // Never queued while disconnected: the insurance limiter answers at once instead.
    enableOfflineQueue: false,
    commandTimeout: REDIS_TIMEOUT_MS,
    connectTimeout: REDIS_TIMEOUT_MS,
  });
  let down = false;
  let closing = false;
  const lost = (e: { name?: string; code?: string }) => {
    if (down || closing) return;
    down = true;
    log.warn({ store: 'redis', type: e.name, code: e.code }, 'rate-limit counters unavailable: counted in this process until Redis answers');
  };
  // A connection refused says so as an error; one that drops (Redis stopped) only closes, before any retry fails.
  client.on('error', lost);
  client.on('close', () => lost({ name: 'ConnectionClosed' }));
  client.on('ready', () => {
    if (!down) return;
    down = false;
    log.info({ store: 'redis' }, 'rate-limit counters shared again');
  });
  return {
    client,
    async close() {
      closing = true;
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}

/**
 * `perMinute` requests per caller in each minute (a fixed window per caller, from its first request), counted in
 * Redis when `redisUrl` is set, so every replica of the gateway sees the same count; in this process otherwise.
 * 0: no limiter at all.
 *
 * Redis down or slow: each replica counts in its own memory (the insurance limiter) until it answers again, so a
 * caller is still limited, at up to `perMinute` per replica. Refusing everyone instead would take the whole graph
 * down with Redis, for a limit that protects capacity rather than data. Said once per outage.
 */
export function createRateLimiter(o: { perMinute: number; redisUrl?: string; log: Logger }): RateLimiter {
  if (o.perMinute <= 0) return UNLIMITED;
  const memory = () => new RateLimiterMemory({ points: o.perMinute, duration: WINDOW_SECONDS, keyPrefix: KEY_PREFIX });
  const redis = o.redisUrl ? countersIn(o.redisUrl, o.log) : undefined;
  const limiter: RateLimiterAbstract = redis
    ? new RateLimiterRedis({
        storeClient: redis.client,
        keyPrefix: KEY_PREFIX,
        points: o.perMinute,
        duration: WINDOW_SECONDS,
        rejectIfRedisNotReady: true,
        // A caller over its limit is then refused from memory for the rest of its window, without asking Redis.
        inMemoryBlockOnConsumed: o.perMinute + 1,
        insuranceLimiter: memory(),
      })
    : memory();
  return {
    async admit(identity, address) {
      try {
        await limiter.consume(rateKey(identity, address));
      } catch (e) {
        if (e instanceof RateLimiterRes) throw rateLimited(e.msBeforeNext);
        throw e;
      }
    },
    close: async () => redis?.close(),
  };
}
