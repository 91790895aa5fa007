import Redis from 'ioredis';

/**
 * Nonces in Redis, shared by the replicas of one subgraph (and only of that one: keys are prefixed by its
 * database's name, which its replicas share and no other subgraph has): `SET key 1 NX PX ttl`, one round trip,
 * expired by Redis itself.
 */
export class RedisNonceStore {
  readonly client: Redis;

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly ttlMs: number,
    timeoutMs: number,
  ) {
    this.client = new Redis(url, {
      connectionName: 'motcua-replay',
      // A claim made while connecting (at start) waits for the connection; one made while it is lost fails at once
      // (below) or after one reconnection attempt, within timeoutMs in any case.
      maxRetriesPerRequest: 1,
      commandTimeout: timeoutMs,
      connectTimeout: timeoutMs,
    });
  }

  key(nonce: string): string {
    return `${this.prefix}${nonce}`;
  }

  async claim(nonce: string): Promise<boolean> {
    const status = this.client.status;
    if (status === 'reconnecting' || status === 'close' || status === 'end') throw new Error(`redis ${status}`);
    return (await this.client.set(this.key(nonce), '1', 'PX', this.ttlMs, 'NX')) === 'OK';
  }

  async close(): Promise<void> {
    if (this.client.status === 'ready') await this.client.quit().catch(() => this.client.disconnect());
    else this.client.disconnect();
  }
}
