import { MigrationInterface, QueryRunner } from 'typeorm';

/** The accesses the other systems' audits logged, shipped here for the citizens' view (myDataAccesses). */
export class DataAccess1797000000000 implements MigrationInterface {
  name = 'DataAccess1797000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "data_access" ("system" character varying(32) NOT NULL, "record_id" bigint NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "role" character varying(32) NOT NULL, "department" character varying(20), "fields" text array NOT NULL, "operation" character varying(10) NOT NULL, "dossier_code" character varying(40) NOT NULL, CONSTRAINT "PK_data_access" PRIMARY KEY ("system", "record_id"))`);
    await q.query(`CREATE INDEX "IDX_data_access_dossier" ON "data_access" ("dossier_code", "at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "data_access"`);
  }
}
