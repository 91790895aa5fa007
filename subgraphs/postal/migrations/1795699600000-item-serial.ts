import { MigrationInterface, QueryRunner } from 'typeorm';

/** Serial numbers of new postal items (the 8 digits of an S10 number); the demo data uses lower ones. */
export class ItemSerial1795699600000 implements MigrationInterface {
  name = 'ItemSerial1795699600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE IF NOT EXISTS postal_item_serial START 30000000 MAXVALUE 99999999`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SEQUENCE IF EXISTS postal_item_serial`);
  }
}
