import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The report reads a department's days of one month and its months before: with the counts in the keys'
 * index, those are index-only ranges instead of one heap page per few rows.
 */
export class CoveringRollupKeys1795702100000 implements MigrationInterface {
  name = 'CoveringRollupKeys1795702100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE report_day DROP CONSTRAINT report_day_pkey,
      ADD CONSTRAINT report_day_pkey PRIMARY KEY (department_code, day) INCLUDE (received, early, on_time, late, withdrawn)`);
    await q.query(`ALTER TABLE report_month DROP CONSTRAINT report_month_pkey,
      ADD CONSTRAINT report_month_pkey PRIMARY KEY (department_code, month) INCLUDE (received, finished)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE report_day DROP CONSTRAINT report_day_pkey, ADD CONSTRAINT report_day_pkey PRIMARY KEY (department_code, day)`);
    await q.query(`ALTER TABLE report_month DROP CONSTRAINT report_month_pkey, ADD CONSTRAINT report_month_pkey PRIMARY KEY (department_code, month)`);
  }
}
