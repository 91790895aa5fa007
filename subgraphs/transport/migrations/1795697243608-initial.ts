import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795697243608 implements MigrationInterface {
  name = 'Initial1795697243608';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "processing" ADD "licence_kind" character varying(32)`);
    await q.query(`ALTER TABLE "processing" ADD "licence_number" character varying(32)`);
    await q.query(`ALTER TABLE "processing" ADD "licence_vehicle_plate" character varying(16)`);
    await q.query(`ALTER TABLE "processing" ADD "licence_valid_until" TIMESTAMP WITH TIME ZONE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "processing" DROP COLUMN "licence_valid_until"`);
    await q.query(`ALTER TABLE "processing" DROP COLUMN "licence_vehicle_plate"`);
    await q.query(`ALTER TABLE "processing" DROP COLUMN "licence_number"`);
    await q.query(`ALTER TABLE "processing" DROP COLUMN "licence_kind"`);
  }
}
