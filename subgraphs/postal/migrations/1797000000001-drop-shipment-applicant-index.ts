import { MigrationInterface, QueryRunner } from 'typeorm';

/** The citizens' view reads the register now (their accesses are shipped there): no lookup by ID number here. */
export class DropShipmentApplicantIndex1797000000001 implements MigrationInterface {
  name = 'DropShipmentApplicantIndex1797000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "IDX_shipment_applicant_id_number"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "IDX_shipment_applicant_id_number" ON "shipment" ("applicant_id_number")`);
  }
}
