import type { DataSource } from 'typeorm';
import { within } from '../http';
import type { Logger } from '../logger';
import { MAX_AGE_MS, NonceStore } from '../signing';
import { PostgresNonceStore } from './postgres.store';
import { RedisNonceStore } from './redis.store';

export interface ReplayGuard extends NonceStore {
  close(): Promise<void>;
}

/** A signature is accepted up to 60 s either side of its timestamp: its nonce must be known for twice that. */
export const NONCE_TTL_MS = 2 * MAX_AGE_MS;
/** Beyond this a claim counts as unanswered: the call is refused rather than held. */
export const CLAIM_TIMEOUT_MS = 2_000;
const SWEEP_EVERY_MS = 60_000;

const TIMED_OUT = Symbol('timed out');

/** Says once that the store stopped answering, and once that it answers again: never a line per call. */
class Outage {
  private down = false;
  constructor(
    private readonly log: Logger,
    private readonly store: 'postgres' | 'redis',
  ) {}

  began(e: unknown): void {
    if (this.down) return;
    this.down = true;
    const { name, code } = (e ?? {}) as { name?: string; code?: string };
    this.log.error({ store: this.store, type: name, code }, 'replay store unavailable: signed calls are refused until it answers');
  }

  ended(): void {
    if (!this.down) return;
    this.down = false;
    this.log.info({ store: this.store }, 'replay store answers again');
  }
}

/**
 * The nonce store of a subgraph, shared by its replicas: Redis when `redisUrl` is set, else the table
 * replay_nonce in its own database. When the store does not answer (down, or slower than CLAIM_TIMEOUT_MS) the
 * claim fails and the call is refused: a nonce that cannot be checked could be a replay.
 */
export function createReplayGuard(o: { db: DataSource; redisUrl?: string; log: Logger; sweepEveryMs?: number }): ReplayGuard {
  let store: { claim(nonce: string, now: number): Promise<boolean>; close(): Promise<void> };
  let outage: Outage;
  if (o.redisUrl) {
    const redis = new RedisNonceStore(o.redisUrl, `motcua:replay:${o.db.driver.database}:`, NONCE_TTL_MS, CLAIM_TIMEOUT_MS);
    outage = new Outage(o.log, 'redis');
    // Connection errors come as events, also between calls; without a listener ioredis prints each one.
    redis.client.on('error', (e) => outage.began(e));
    redis.client.on('ready', () => outage.ended());
    store = redis;
  } else {
    store = new PostgresNonceStore(o.db, NONCE_TTL_MS, o.sweepEveryMs ?? SWEEP_EVERY_MS);
    outage = new Outage(o.log, 'postgres');
  }
  return {
    async claim(nonce, now = Date.now()) {
      let fresh: boolean | typeof TIMED_OUT;
      try {
        fresh = await within<boolean | typeof TIMED_OUT>(CLAIM_TIMEOUT_MS, store.claim(nonce, now), TIMED_OUT);
      } catch (e) {
        outage.began(e);
        throw new Error('replay store unavailable');
      }
      if (fresh === TIMED_OUT) {
        outage.began({ name: 'Timeout' });
        throw new Error('replay store unavailable');
      }
      outage.ended();
      return fresh;
    },
    close: () => store.close(),
  };
}
