import type { DataSource } from 'typeorm';

export interface OutboxLaneState {
  destination: string;
  /** Undelivered and still tried. */
  pending: number;
  /** Undelivered and given up on, until retryDeadHandovers revives them. */
  dead: number;
  /** Age of the oldest pending message; 0 when none is pending (what the gauge shows). */
  oldestSeconds: number;
  /** Age of the oldest dead message; null when none is dead. */
  oldestDeadSeconds: number | null;
  /** When the dispatcher next tries a pending message of the lane; null when none is pending. */
  nextAttemptAt: Date | null;
}

/**
 * The outbox by destination, in one statement: what the metrics and the hand-over queue show. Lanes with nothing
 * undelivered are absent. Ages run from when a message was written, so a revived message keeps its age.
 */
export async function outboxState(db: DataSource): Promise<OutboxLaneState[]> {
  return db.query(
    `SELECT destination,
            count(*) FILTER (WHERE dead_at IS NULL)::int AS pending,
            count(*) FILTER (WHERE dead_at IS NOT NULL)::int AS dead,
            coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE dead_at IS NULL)), 0)::float8 AS "oldestSeconds",
            extract(epoch FROM now() - min(created_at) FILTER (WHERE dead_at IS NOT NULL))::float8 AS "oldestDeadSeconds",
            min(next_attempt_at) FILTER (WHERE dead_at IS NULL) AS "nextAttemptAt"
       FROM outbox_message WHERE delivered_at IS NULL GROUP BY destination ORDER BY destination`,
  );
}
