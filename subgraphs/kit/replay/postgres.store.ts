import type { DataSource } from 'typeorm';
import { inBackground, namedQuery } from '../data-source';

/** Rows deleted per statement by the sweep, and statements per sweep: the rest waits for the next one. */
const SWEEP_BATCH = 5_000;
const SWEEP_BATCHES = 20;

/**
 * Nonces in the subgraph's own database (table replay_nonce). A claim is one statement on the request's pool,
 * counted with the request's others: an insert that does nothing when the nonce is there. Not grouped with the
 * claims of concurrent calls (as the audit records are): a call's statements would then depend on what else runs
 * at the same instant, and the count of a request's statements is what the batching rule is tested by.
 *
 * It commits without waiting for the WAL flush (synchronous_commit off for that transaction alone, set in the
 * statement itself): a read would otherwise wait for an fsync on every call. A crash of PostgreSQL may then
 * forget the nonces of its last few hundred milliseconds, which could be replayed within their remaining
 * minute; a standby still receives them through the WAL as usual.
 */
export class PostgresNonceStore {
  private readonly sweeper: NodeJS.Timeout;
  private sweeping?: Promise<number>;

  constructor(
    private readonly db: DataSource,
    private readonly ttlMs: number,
    sweepEveryMs: number,
  ) {
    this.sweeper = setInterval(() => void this.sweep().catch(() => undefined), sweepEveryMs).unref();
  }

  async claim(nonce: string, now: number): Promise<boolean> {
    const rows: unknown[] = await namedQuery(this.db,
      `WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true))
       INSERT INTO replay_nonce (nonce, expires_at) SELECT $1, $2 FROM async_commit ON CONFLICT DO NOTHING RETURNING 1`,
      [nonce, new Date(now + this.ttlMs)],
    );
    return rows.length === 1;
  }

  /**
   * Deletes expired nonces, in batches through the expiry index, outside any request. Replicas sweeping at once
   * skip each other's rows instead of waiting on them. Resolves to the rows deleted.
   */
  sweep(now = Date.now()): Promise<number> {
    this.sweeping ??= inBackground(this.db, async (query) => {
      let deleted = 0;
      for (let i = 0; i < SWEEP_BATCHES; i++) {
        const [{ n }]: { n: number }[] = await query(
          `WITH gone AS (
             DELETE FROM replay_nonce WHERE nonce IN
               (SELECT nonce FROM replay_nonce WHERE expires_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)
             RETURNING 1)
           SELECT count(*)::int AS n FROM gone`,
          [new Date(now), SWEEP_BATCH],
        );
        deleted += n;
        if (n < SWEEP_BATCH) break;
      }
      return deleted;
    }).finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await this.sweeping?.catch(() => undefined);
  }
}
