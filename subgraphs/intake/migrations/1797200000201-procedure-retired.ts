import { MigrationInterface, QueryRunner } from 'typeorm';

/** A retired procedure stays in the catalogue for the dossiers, reports and lookups that name it; it takes no new dossiers. */
export class ProcedureRetired1797200000201 implements MigrationInterface {
  name = 'ProcedureRetired1797200000201';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "procedure" ADD "retired_at" TIMESTAMP WITH TIME ZONE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "procedure" DROP COLUMN "retired_at"`);
  }
}
