import { MigrationInterface, QueryRunner } from 'typeorm';

export class ProcessingReportColumns1795700190553 implements MigrationInterface {
  name = 'ProcessingReportColumns1795700190553';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "processing" ADD "withdrawn_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(`CREATE INDEX "IDX_92a0ca74812113b6470a1403fb" ON "processing"  ("department_code", "decided_at") `);
    await q.query(`CREATE INDEX "IDX_f70300b3f18c41655ab1d99bfe" ON "processing"  ("department_code", "received_at") `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."IDX_f70300b3f18c41655ab1d99bfe"`);
    await q.query(`DROP INDEX "public"."IDX_92a0ca74812113b6470a1403fb"`);
    await q.query(`ALTER TABLE "processing" DROP COLUMN "withdrawn_at"`);
  }
}
