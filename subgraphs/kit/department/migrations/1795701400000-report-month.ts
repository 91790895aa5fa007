import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Monthly totals beside the daily ones, kept by the same trigger: "received before the period" and
 * "finished before it" sum a few months' rows and the current month's days, so a report's cost does not
 * grow with the years of history.
 */
export class ReportMonth1795701400000 implements MigrationInterface {
  name = 'ReportMonth1795701400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE report_month (
      department_code varchar(16) NOT NULL, month date NOT NULL,
      received int NOT NULL DEFAULT 0, finished int NOT NULL DEFAULT 0,
      PRIMARY KEY (department_code, month))`);
    await q.query(`CREATE FUNCTION report_month_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE k text; m date; dr int; df int;
      BEGIN
        IF TG_OP = 'DELETE' THEN
          k := OLD.department_code; m := date_trunc('month', OLD.day)::date;
          dr := -OLD.received; df := -(OLD.early + OLD.on_time + OLD.late + OLD.withdrawn);
        ELSIF TG_OP = 'INSERT' THEN
          k := NEW.department_code; m := date_trunc('month', NEW.day)::date;
          dr := NEW.received; df := NEW.early + NEW.on_time + NEW.late + NEW.withdrawn;
        ELSE
          k := NEW.department_code; m := date_trunc('month', NEW.day)::date;
          dr := NEW.received - OLD.received;
          df := (NEW.early + NEW.on_time + NEW.late + NEW.withdrawn) - (OLD.early + OLD.on_time + OLD.late + OLD.withdrawn);
        END IF;
        INSERT INTO report_month (department_code, month, received, finished) VALUES (k, m, dr, df)
          ON CONFLICT (department_code, month) DO UPDATE
          SET received = report_month.received + EXCLUDED.received, finished = report_month.finished + EXCLUDED.finished;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER report_day_month AFTER INSERT OR UPDATE OR DELETE ON report_day
      FOR EACH ROW EXECUTE FUNCTION report_month_trigger()`);
    await q.query(`INSERT INTO report_month (department_code, month, received, finished)
      SELECT department_code, date_trunc('month', day)::date, sum(received), sum(early + on_time + late + withdrawn)
        FROM report_day GROUP BY 1, 2`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS report_day_month ON report_day`);
    await q.query(`DROP FUNCTION IF EXISTS report_month_trigger()`);
    await q.query(`DROP TABLE IF EXISTS report_month`);
  }
}
