import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Closed reporting periods: each system's frozen figures for a month (with their digest, also in its audit chain),
 * and the revisions made to a closed month afterwards, each with its reason. A published figure is never rewritten:
 * the rows refuse UPDATE and DELETE.
 */
export class ReportPeriod1797200000501 implements MigrationInterface {
  name = 'ReportPeriod1797200000501';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE report_period (
      month date PRIMARY KEY CHECK (extract(day FROM month) = 1),
      closed_at timestamptz NOT NULL,
      closed_by varchar(120) NOT NULL,
      figures jsonb NOT NULL,
      digest char(64) NOT NULL)`);
    await q.query(`CREATE TABLE period_revision (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      month date NOT NULL REFERENCES report_period (month),
      department_code varchar(16) NOT NULL,
      reason varchar(500) NOT NULL,
      revised_by varchar(120) NOT NULL,
      at timestamptz NOT NULL DEFAULT now(),
      batch char(64) NOT NULL,
      UNIQUE (month, department_code, batch))`);
    await q.query(`CREATE FUNCTION published_rows_are_final() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'a closed period''s rows are final: % on % refused', TG_OP, TG_TABLE_NAME; END $$`);
    for (const table of ['report_period', 'period_revision']) {
      await q.query(`CREATE TRIGGER ${table}_final BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION published_rows_are_final()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE period_revision`);
    await q.query(`DROP TABLE report_period`);
    await q.query(`DROP FUNCTION published_rows_are_final()`);
  }
}
