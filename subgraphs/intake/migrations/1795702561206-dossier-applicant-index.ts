import { MigrationInterface, QueryRunner } from 'typeorm';

/** A citizen's own records, found by ID number: their dossiers, and the accesses to them (myDataAccesses). */
export class DossierApplicantIndex1795702561206 implements MigrationInterface {
  name = 'DossierApplicantIndex1795702561206';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "IDX_dossier_applicant_id_number" ON "dossier" ("applicant_id_number")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "IDX_dossier_applicant_id_number"`);
  }
}
