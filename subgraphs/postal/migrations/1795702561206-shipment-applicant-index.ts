import { MigrationInterface, QueryRunner } from 'typeorm';

/** A citizen's own records, found by ID number: their dossiers, and the accesses to them (myDataAccesses). */
export class ShipmentApplicantIndex1795702561206 implements MigrationInterface {
  name = 'ShipmentApplicantIndex1795702561206';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "IDX_shipment_applicant_id_number" ON "shipment" ("applicant_id_number")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "IDX_shipment_applicant_id_number"`);
  }
}
