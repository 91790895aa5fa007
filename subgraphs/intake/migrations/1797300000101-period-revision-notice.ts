import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The revisions each department system recorded of a closed month, as it told the register (one row per revision,
 * however often the message came): with the register's own, they say whether a month's report has changed since a
 * client last read it.
 */
export class PeriodRevisionNotice1797300000101 implements MigrationInterface {
  name = 'PeriodRevisionNotice1797300000101';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE period_revision_notice (
      system varchar(40) NOT NULL,
      month date NOT NULL,
      department_code varchar(16) NOT NULL,
      batch char(64) NOT NULL,
      noticed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (month, system, department_code, batch))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE period_revision_notice`);
  }
}
