import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795697244219 implements MigrationInterface {
  name = 'Initial1795697244219';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "processing" ADD "certificate_kind" character varying(32)`);
    await q.query(`ALTER TABLE "processing" ADD "certificate_number" character varying(40)`);
    await q.query(`ALTER TABLE "processing" ADD "certificate_vehicle_plate" character varying(16)`);
    await q.query(`ALTER TABLE "processing" ADD "certificate_issued_at" TIMESTAMP WITH TIME ZONE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "processing" DROP COLUMN "certificate_issued_at"`);
    await q.query(`ALTER TABLE "processing" DROP COLUMN "certificate_vehicle_plate"`);
    await q.query(`ALTER TABLE "processing" DROP COLUMN "certificate_number"`);
    await q.query(`ALTER TABLE "processing" DROP COLUMN "certificate_kind"`);
  }
}
