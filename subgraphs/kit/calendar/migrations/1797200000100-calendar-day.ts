import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The province's own calendar, beside the national one: holidays it adds and Saturdays it works. Every system
 * that counts working time keeps a copy (the register owns it and hands changes over), so each computes due
 * dates from its own database.
 */
export class CalendarDay1797200000100 implements MigrationInterface {
  name = 'CalendarDay1797200000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE calendar_day (
      date date PRIMARY KEY,
      kind varchar(12) NOT NULL CHECK (kind IN ('HOLIDAY', 'WORKING_DAY')),
      reason varchar(200) NOT NULL,
      added_at timestamptz NOT NULL DEFAULT now())`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE calendar_day`);
  }
}
