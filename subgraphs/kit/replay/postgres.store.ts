import type { DataSource } from 'typeorm';
import { GroupCommit } from '../batching/group-commit';
import { inBackground, namedQuery } from '../data-source';

/** Rows deleted per statement by the sweep, and statements per sweep: the rest waits for the next one. */
const SWEEP_BATCH = 5_000;
const SWEEP_BATCHES = 20;

interface Claim {
  nonce: string;
  expiresAt: Date;
}

/**
 * Nonces in the subgraph's own database (table replay_nonce). A claim is an insert that does nothing when the nonce
 * is there, counted with the request's statements. Claims are committed in groups: while one insert runs, the
 * calls that arrive meanwhile wait together and go in the next, one statement for all of them (under load a
 * subgraph would otherwise spend a statement and a commit on every call before doing its work). Alone, a claim is
 * one statement as before; each call still waits for its own nonce to be stored, and a failed insert fails exactly
 * the claims it held.
 *
 * It commits without waiting for the WAL flush (synchronous_commit off for that transaction alone, set in the
 * statement itself): a read would otherwise wait for an fsync on every call. A crash of PostgreSQL may then
 * forget the nonces of its last few hundred milliseconds, which could be replayed within their remaining
 * minute; a standby still receives them through the WAL as usual.
 */
export class PostgresNonceStore {
  private readonly sweeper: NodeJS.Timeout;
  private sweeping?: Promise<number>;
  private readonly group = new GroupCommit<Claim, boolean>((claims) => this.claimAll(claims));

  constructor(
    private readonly db: DataSource,
    private readonly ttlMs: number,
    sweepEveryMs: number,
  ) {
    this.sweeper = setInterval(() => void this.sweep().catch(() => undefined), sweepEveryMs).unref();
  }

  claim(nonce: string, now: number): Promise<boolean> {
    return this.group.offer({ nonce, expiresAt: new Date(now + this.ttlMs) });
  }

  private async claimAll(claims: Claim[]): Promise<boolean[]> {
    // The same nonce twice in a group: the first offer claims it, the others are replays.
    const first = new Map<string, Claim>();
    for (const c of claims) if (!first.has(c.nonce)) first.set(c.nonce, c);
    const rows: { nonce: string }[] = await namedQuery(this.db,
      `WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true))
       INSERT INTO replay_nonce (nonce, expires_at)
       SELECT u.nonce, u.expires_at FROM async_commit, unnest($1::text[], $2::timestamptz[]) AS u(nonce, expires_at)
       ON CONFLICT DO NOTHING RETURNING nonce`,
      [[...first.keys()], [...first.values()].map((c) => c.expiresAt)],
    );
    const stored = new Set(rows.map((r) => r.nonce));
    return claims.map((c) => first.get(c.nonce) === c && stored.has(c.nonce));
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
