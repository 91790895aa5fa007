import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A department's closed months as the system it moved from published them (npm run department:move), for months
 * this system had closed already without it: a closed month's own row is final, so they are kept beside it, as
 * final, and read as part of it.
 */
export class PeriodAdopted1797400000201 implements MigrationInterface {
  name = 'PeriodAdopted1797400000201';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE period_adopted (
      month date NOT NULL REFERENCES report_period (month),
      department_code varchar(16) NOT NULL,
      figures jsonb NOT NULL,
      digest char(64) NOT NULL,
      from_system varchar(32) NOT NULL,
      adopted_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (month, department_code))`);
    await q.query(`CREATE TRIGGER period_adopted_final BEFORE UPDATE OR DELETE ON period_adopted FOR EACH ROW EXECUTE FUNCTION published_rows_are_final()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE period_adopted`);
  }
}
