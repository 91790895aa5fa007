import type { DataSource } from 'typeorm';

export interface OutboxLaneState {
  destination: string;
  pending: number;
  dead: number;
  oldestSeconds: number;
}

/** The outbox by destination, in one statement: what the metrics and the hand-over queue show. */
export async function outboxState(db: DataSource): Promise<OutboxLaneState[]> {
  const rows = await db.query(
    `SELECT destination, count(*)::int AS pending, 0 AS dead, extract(epoch FROM now() - min(created_at))::float8 AS "oldestSeconds"
       FROM outbox_message WHERE delivered_at IS NULL GROUP BY destination`,
  );
  return rows;
}
