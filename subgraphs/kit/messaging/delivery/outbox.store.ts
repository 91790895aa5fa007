import type { DataSource } from 'typeorm';

/** Held exclusively (pg_advisory_lock), it pauses every dispatcher on the database: each claim takes it shared. */
export const DISPATCH_LOCK = 727_002;

/** A message claimed for delivery: this dispatcher holds its lease until it is acknowledged, fails or expires. */
export interface Claimed {
  id: string;
  messageId: string;
  legacyKey: boolean;
  destination: string;
  dossierCode: string;
  type: string;
  payload: Record<string, unknown>;
  attempts: number;
}

const PENDING = 'delivered_at IS NULL AND dead_at IS NULL';

/** The outbox's rows as the dispatcher moves them: every change is one statement, safe with other replicas. */
export class OutboxStore {
  constructor(private readonly db: DataSource) {}

  /** The rows a statement returns (an UPDATE's RETURNING included), on a connection of its own, as background work. */
  private async run<T = any>(sql: string, params?: unknown[]): Promise<T> {
    const runner = this.db.createQueryRunner();
    runner.data = { background: true };
    try {
      return (await runner.query(sql, params, true)).records as T;
    } finally {
      await runner.release();
    }
  }

  /** The destinations with anything pending, by a skip scan of the lane index (a handful of probes, however long the queue). */
  async destinations(): Promise<string[]> {
    const rows: { destination: string }[] = await this.run(
      `WITH RECURSIVE d AS (
         (SELECT destination FROM outbox_message WHERE ${PENDING} ORDER BY destination LIMIT 1)
         UNION ALL
         SELECT (SELECT o.destination FROM outbox_message o WHERE o.delivered_at IS NULL AND o.dead_at IS NULL AND o.destination > d.destination
                  ORDER BY o.destination LIMIT 1)
           FROM d WHERE d.destination IS NOT NULL)
       SELECT destination FROM d WHERE destination IS NOT NULL`,
    );
    return rows.map((r) => r.destination);
  }

  /**
   * Leases up to `limit` messages of one destination that are due, pending, not leased by anyone, and first of their
   * dossier there: a message waits while an earlier one of the same destination and dossier is undelivered, pending
   * or dead. SKIP LOCKED lets replicas claim side by side; a row another replica leased a moment ago is re-read
   * under its lock and no longer qualifies, and a dossier's next message qualifies only once its predecessor is
   * acknowledged, so two replicas never reorder a dossier.
   */
  async claim(destination: string, limit: number, leaseMs: number, token: string): Promise<Claimed[]> {
    const rows: Claimed[] = await this.run(
      `WITH gate AS (SELECT pg_try_advisory_xact_lock_shared(${DISPATCH_LOCK}) AS open),
       heads AS (
         SELECT o.id FROM outbox_message o
          WHERE (SELECT open FROM gate)
            AND o.destination = $1 AND o.delivered_at IS NULL AND o.dead_at IS NULL
            AND o.next_attempt_at <= now()
            AND (o.lease_until IS NULL OR o.lease_until < now())
            AND NOT EXISTS (SELECT 1 FROM outbox_message e
                             WHERE e.destination = o.destination AND e.dossier_code = o.dossier_code
                               AND e.delivered_at IS NULL AND e.id < o.id)
          ORDER BY o.id
          LIMIT $2
          FOR UPDATE SKIP LOCKED)
       UPDATE outbox_message m SET lease_until = now() + make_interval(secs => $3::float8 / 1000), lease_token = $4
         FROM heads WHERE m.id = heads.id
       RETURNING m.id, m.message_id AS "messageId", m.legacy_key AS "legacyKey", m.destination, m.dossier_code AS "dossierCode",
                 m.type, m.payload, m.attempts`,
      [destination, limit, leaseMs, token],
    );
    return rows.sort((a, b) => Number(a.id) - Number(b.id));
  }

  /** Acknowledged: whoever delivered it, it is delivered (a replica whose lease ran out may race here harmlessly). */
  async delivered(id: string): Promise<void> {
    await this.run(`UPDATE outbox_message SET delivered_at = now(), lease_until = NULL, lease_token = NULL WHERE id = $1 AND delivered_at IS NULL`, [id]);
  }

  /**
   * A failed attempt, recorded only by the lease holder: the next one after `waitMs`, or dead once it has had
   * `maxAttempts` attempts or is older than `maxAgeMs`. Answers whether it is now dead.
   */
  async failed(m: Claimed, token: string, error: string, waitMs: number, limits: { maxAttempts: number; maxAgeMs: number }): Promise<boolean> {
    const rows: { dead: boolean }[] = await this.run(
      `UPDATE outbox_message
          SET attempts = attempts + 1, last_error = $3, lease_until = NULL, lease_token = NULL,
              next_attempt_at = now() + make_interval(secs => $4::float8 / 1000),
              dead_at = CASE WHEN attempts + 1 >= $5 OR created_at < now() - make_interval(secs => $6::float8 / 1000) THEN now() ELSE dead_at END
        WHERE id = $1 AND lease_token = $2 AND delivered_at IS NULL
        RETURNING dead_at IS NOT NULL AS dead`,
      [m.id, token, error.slice(0, 200), waitMs, limits.maxAttempts, limits.maxAgeMs],
    );
    return rows[0]?.dead ?? false;
  }

  /** Not attempted (its destination's breaker was open): back to the queue as it was. */
  async released(id: string, token: string): Promise<void> {
    await this.run(`UPDATE outbox_message SET lease_until = NULL, lease_token = NULL WHERE id = $1 AND lease_token = $2`, [id, token]);
  }

  /**
   * While its destination does not answer, a message is not attempted, so it could never reach the attempt limit:
   * the first of each dossier older than `maxAgeMs` is dead-lettered here instead (those behind it wait, as behind
   * any dead message).
   */
  async expire(destination: string, maxAgeMs: number): Promise<{ messageId: string; type: string; attempts: number }[]> {
    return this.run(
      `UPDATE outbox_message o SET dead_at = now(), last_error = coalesce(o.last_error, 'not delivered within the age limit')
        WHERE o.destination = $1 AND o.delivered_at IS NULL AND o.dead_at IS NULL
          AND o.created_at < now() - make_interval(secs => $2::float8 / 1000)
          AND (o.lease_until IS NULL OR o.lease_until < now())
          AND NOT EXISTS (SELECT 1 FROM outbox_message e
                           WHERE e.destination = o.destination AND e.dossier_code = o.dossier_code
                             AND e.delivered_at IS NULL AND e.id < o.id)
       RETURNING o.message_id AS "messageId", o.type, o.attempts`,
      [destination, maxAgeMs],
    );
  }

  /** How many of these messages a dispatcher (this one or another replica) is delivering at this moment. */
  async inFlight(messageIds: readonly string[]): Promise<number> {
    const [{ n }] = await this.run(
      `SELECT count(*)::int AS n FROM outbox_message WHERE message_id = ANY($1::uuid[]) AND ${PENDING} AND lease_until > now()`,
      [messageIds],
    );
    return n;
  }

  async pending(): Promise<number> {
    const [{ n }] = await this.run(`SELECT count(*)::int AS n FROM outbox_message WHERE ${PENDING}`);
    return n;
  }
}
