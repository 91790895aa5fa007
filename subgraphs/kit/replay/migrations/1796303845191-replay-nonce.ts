import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The nonces of signed calls this system accepted, while their signatures live: shared by its replicas, so a call
 * replayed to another one, or after a restart, is refused. Swept by expiry, hence the index.
 */
export class ReplayNonce1796303845191 implements MigrationInterface {
  name = 'ReplayNonce1796303845191';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "replay_nonce" ("nonce" character(32) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_replay_nonce" PRIMARY KEY ("nonce"))`);
    await q.query(`CREATE INDEX "replay_nonce_expiry" ON "replay_nonce" ("expires_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."replay_nonce_expiry"`);
    await q.query(`DROP TABLE "replay_nonce"`);
  }
}
