import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stable message ids (the receiver dedupes by sender and message id, not by the sender's row id, which a restore
 * from backup reuses), dead letters, leases for several dispatchers on one database, and idempotency keys kept
 * whole as a hash.
 */
export class MessageIds1796303339565 implements MigrationInterface {
  name = 'MessageIds1796303339565';

  async up(q: QueryRunner): Promise<void> {
    // The cast keeps TypeORM from reading the default as its own uuid generation (see OutboxMessage.messageId).
    await q.query(`ALTER TABLE "outbox_message" ADD "message_id" uuid NOT NULL DEFAULT gen_random_uuid()::text::uuid`);
    await q.query(`ALTER TABLE "outbox_message" ADD CONSTRAINT "UQ_452f044f9b3436b9fcfa3f8f520" UNIQUE ("message_id")`);
    // Rows already here may have been applied under `<source>:<id>` without being acknowledged: they keep that key.
    await q.query(`ALTER TABLE "outbox_message" ADD "legacy_key" boolean NOT NULL DEFAULT true`);
    await q.query(`ALTER TABLE "outbox_message" ALTER COLUMN "legacy_key" SET DEFAULT false`);
    await q.query(`ALTER TABLE "outbox_message" ADD "dead_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(`ALTER TABLE "outbox_message" ADD "lease_until" TIMESTAMP WITH TIME ZONE`);
    await q.query(`ALTER TABLE "outbox_message" ADD "lease_token" uuid`);
    await q.query(`CREATE INDEX "outbox_message_dossier_queue" ON "outbox_message"  ("destination", "dossier_code", "id") WHERE "delivered_at" IS NULL`);
    await q.query(`CREATE INDEX "outbox_message_lane" ON "outbox_message"  ("destination", "id") WHERE "delivered_at" IS NULL AND "dead_at" IS NULL`);
    await q.query(`ALTER TABLE "inbox_message" DROP CONSTRAINT "PK_b7fe04210e4d589dcff6bca5225"`);
    await q.query(`ALTER TABLE "inbox_message" ADD CONSTRAINT "PK_9c8eef50fac5c43c889455a114d" PRIMARY KEY ("source", "message_id")`);
    // What was stored is `subject|key` (cut to 100): hashing it keeps every key that was not cut matching.
    await q.query(`UPDATE "idempotency_key" SET "key" = encode(sha256(convert_to("key", 'UTF8')), 'hex')`);
    await q.query(`ALTER TABLE "idempotency_key" ALTER COLUMN "key" TYPE character(64)`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Hashed keys stay hashed (they cannot be undone): a retry after the downgrade runs its mutation again.
    await q.query(`ALTER TABLE "idempotency_key" ALTER COLUMN "key" TYPE character varying(100)`);
    await q.query(`ALTER TABLE "inbox_message" DROP CONSTRAINT "PK_9c8eef50fac5c43c889455a114d"`);
    await q.query(`ALTER TABLE "inbox_message" ADD CONSTRAINT "PK_b7fe04210e4d589dcff6bca5225" PRIMARY KEY ("message_id")`);
    await q.query(`DROP INDEX "public"."outbox_message_lane"`);
    await q.query(`DROP INDEX "public"."outbox_message_dossier_queue"`);
    await q.query(`ALTER TABLE "outbox_message" DROP COLUMN "lease_token"`);
    await q.query(`ALTER TABLE "outbox_message" DROP COLUMN "lease_until"`);
    await q.query(`ALTER TABLE "outbox_message" DROP COLUMN "dead_at"`);
    await q.query(`ALTER TABLE "outbox_message" DROP COLUMN "legacy_key"`);
    await q.query(`ALTER TABLE "outbox_message" DROP CONSTRAINT "UQ_452f044f9b3436b9fcfa3f8f520"`);
    await q.query(`ALTER TABLE "outbox_message" DROP COLUMN "message_id"`);
  }
}
