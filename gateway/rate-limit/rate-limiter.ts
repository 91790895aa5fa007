import { createHash } from 'node:crypto';
import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import Redis from 'ioredis';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { ANONYMOUS, type Identity, type Role } from '../../subgraphs/kit/identity';
import type { Logger } from '../../subgraphs/kit/logger';

export interface RateLimiter {
  /**
   * Resolves when the caller may go on; throws a RATE_LIMITED error (HTTP 429) when over its limit: the limit of
   * every caller, then its role's.
   */
  admit(identity: Identity, address: string | undefined): Promise<void>;
  /** The same for a receipt lookup by an anonymous caller, counted by its address. */
  admitReceipt(address: string | undefined): Promise<void>;
  /**
   * Resolves once the shared counters answer, or after REDIS_TIMEOUT_MS if they do not: a replica that served before
   * would count its first callers in its own memory, each getting a fresh quota there.
   */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** Requests a minute; 0 or absent: not limited. */
export interface RateLimits {
  /** Of every caller (RATE_LIMIT_PER_MINUTE). */
  perMinute?: number;
  /** Of each caller of a role (RATE_LIMIT_<ROLE>_PER_MINUTE); ANONYMOUS callers by their address. */
  perRole?: Partial<Record<Role, number>>;
  /** Receipt lookups of one anonymous address (RATE_LIMIT_RECEIPT_PER_MINUTE): each a guess at an ID number. */
  receiptPerMinute?: number;
}

const WINDOW_SECONDS = 60;
export const KEY_PREFIX = 'motcua:rate';
/** A Redis slower than this is taken for down: the request is counted in this process instead. */
const REDIS_TIMEOUT_MS = 500;

const ADMITTED = Promise.resolve();
const UNLIMITED: RateLimiter = { admit: () => ADMITTED, admitReceipt: () => ADMITTED, ready: async () => {}, close: async () => {} };

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
function countersIn(url: string, log: Logger): { client: Redis; ready: Promise<void>; close(): Promise<void> } {
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
  const ready = new Promise<void>((resolve) => {
    client.once('ready', () => resolve());
    setTimeout(resolve, REDIS_TIMEOUT_MS).unref();
  });
  return {
    client,
    ready,
    async close() {
      closing = true;
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}

/**
 * The limits per caller (a fixed window per caller, from its first request), counted in Redis when `redisUrl` is
 * set, so every replica of the gateway sees the same count; in this process otherwise. No limit set: no limiter.
 *
 * Redis down or slow: each replica counts in its own memory (the insurance limiter) until it answers again, so a
 * caller is still limited, at up to its limit per replica. Refusing everyone instead would take the whole graph
 * down with Redis. Said once per outage.
 */
export function createRateLimiter(o: RateLimits & { redisUrl?: string; log: Logger }): RateLimiter {
  const perRole = Object.entries(o.perRole ?? {}).filter(([, n]) => n! > 0) as [Role, number][];
  if (!(o.perMinute! > 0) && !(o.receiptPerMinute! > 0) && perRole.length === 0) return UNLIMITED;
  const redis = o.redisUrl ? countersIn(o.redisUrl, o.log) : undefined;
  const counter = (points: number, keyPrefix: string): RateLimiterAbstract => {
    const memory = () => new RateLimiterMemory({ points, duration: WINDOW_SECONDS, keyPrefix });
    return redis
      ? new RateLimiterRedis({
          storeClient: redis.client,
          keyPrefix,
          points,
          duration: WINDOW_SECONDS,
          rejectIfRedisNotReady: true,
          // A caller over its limit is then refused from memory for the rest of its window, without asking Redis.
          inMemoryBlockOnConsumed: points + 1,
          insuranceLimiter: memory(),
        })
      : memory();
  };
  const everyone = o.perMinute! > 0 ? counter(o.perMinute!, KEY_PREFIX) : undefined;
  const roles = new Map(perRole.map(([role, n]) => [role, counter(n, `${KEY_PREFIX}:${role.toLowerCase()}`)]));
  const receipts = o.receiptPerMinute! > 0 ? counter(o.receiptPerMinute!, `${KEY_PREFIX}:receipt`) : undefined;
  const consume = async (limiter: RateLimiterAbstract | undefined, identity: Identity, address: string | undefined) => {
    if (!limiter) return;
    try {
      await limiter.consume(rateKey(identity, address));
    } catch (e) {
      if (e instanceof RateLimiterRes) throw rateLimited(e.msBeforeNext);
      throw e;
    }
  };
  return {
    async admit(identity, address) {
      await consume(everyone, identity, address);
      await consume(roles.get(identity.role), identity, address);
    },
    admitReceipt: (address) => consume(receipts, ANONYMOUS, address),
    ready: async () => redis?.ready,
    close: async () => redis?.close(),
  };
}
