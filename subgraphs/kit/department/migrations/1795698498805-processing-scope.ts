import { MigrationInterface, QueryRunner } from 'typeorm';

export class ProcessingScope1795698498805 implements MigrationInterface {
  name = 'ProcessingScope1795698498805';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "processing" ADD "department_code" character varying(16)`);
    await q.query(`ALTER TABLE "processing" ADD "applicant_id_number" character(12)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "processing" DROP COLUMN "applicant_id_number"`);
    await q.query(`ALTER TABLE "processing" DROP COLUMN "department_code"`);
  }
}
