import { MigrationInterface, QueryRunner } from 'typeorm';

export class ShipmentScope1795698509079 implements MigrationInterface {
  name = 'ShipmentScope1795698509079';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "shipment" ADD "department_code" character varying(16)`);
    await q.query(`ALTER TABLE "shipment" ADD "applicant_id_number" character(12)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "shipment" DROP COLUMN "applicant_id_number"`);
    await q.query(`ALTER TABLE "shipment" DROP COLUMN "department_code"`);
  }
}
