import { MigrationInterface, QueryRunner } from 'typeorm';

export class ImportedLine1795700790463 implements MigrationInterface {
  name = 'ImportedLine1795700790463';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "imported_line" ("line_hash" character(64) NOT NULL, "dossier_code" character varying(40) NOT NULL, "imported_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f43f7da924bb302ed0fbc461d89" PRIMARY KEY ("line_hash"))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "imported_line"`);
  }
}
