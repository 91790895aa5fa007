import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A report for all departments reads register_day by day alone; the primary key leads with the department,
 * so without this it scanned every day of history. Covering, so a month is an index-only range.
 */
export class RegisterDayIndex1795702000000 implements MigrationInterface {
  name = 'RegisterDayIndex1795702000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX register_day_by_day ON register_day (day) INCLUDE (department_code, online, direct, postal, decided, returned_by_post)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX register_day_by_day`);
  }
}
