import { MigrationInterface, QueryRunner } from 'typeorm';

/** How far this system's audit has been shipped to the register for the citizens' view (from the first record). */
export class AccessShipment1797000000000 implements MigrationInterface {
  name = 'AccessShipment1797000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "access_shipment" ("id" smallint NOT NULL DEFAULT 1, "shipped_through" bigint NOT NULL DEFAULT 0, CONSTRAINT "PK_access_shipment" PRIMARY KEY ("id"), CONSTRAINT "CHK_access_shipment_one_row" CHECK ("id" = 1))`);
    await q.query(`INSERT INTO "access_shipment" DEFAULT VALUES`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "access_shipment"`);
  }
}
