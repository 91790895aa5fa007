import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Daily counts per department, kept by a trigger on every change to a processing record (mutations,
 * hand-overs, imports alike), so a report sums a few thousand small rows instead of scanning the history:
 * carried over = received before the period − finished before it; in process = received − finished by its end.
 */
export class ReportRollup1795701000000 implements MigrationInterface {
  name = 'ReportRollup1795701000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE report_day (
      department_code varchar(16) NOT NULL, day date NOT NULL,
      received int NOT NULL DEFAULT 0, early int NOT NULL DEFAULT 0, on_time int NOT NULL DEFAULT 0,
      late int NOT NULL DEFAULT 0, withdrawn int NOT NULL DEFAULT 0,
      PRIMARY KEY (department_code, day))`);
    await q.query(`CREATE FUNCTION report_day_apply(p processing, sign int) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE d date; due date;
      BEGIN
        IF p.department_code IS NULL THEN RETURN; END IF;
        INSERT INTO report_day (department_code, day, received)
          VALUES (p.department_code, (p.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, sign)
          ON CONFLICT (department_code, day) DO UPDATE SET received = report_day.received + EXCLUDED.received;
        IF p.decided_at IS NOT NULL THEN
          d := (p.decided_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date;
          due := (p.due_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date;
          INSERT INTO report_day (department_code, day, early, on_time, late) VALUES (p.department_code, d,
            CASE WHEN due IS NOT NULL AND d < due THEN sign ELSE 0 END,
            CASE WHEN due IS NULL OR d = due THEN sign ELSE 0 END,
            CASE WHEN due IS NOT NULL AND d > due THEN sign ELSE 0 END)
          ON CONFLICT (department_code, day) DO UPDATE SET early = report_day.early + EXCLUDED.early,
            on_time = report_day.on_time + EXCLUDED.on_time, late = report_day.late + EXCLUDED.late;
        ELSIF p.withdrawn_at IS NOT NULL THEN
          INSERT INTO report_day (department_code, day, withdrawn)
            VALUES (p.department_code, (p.withdrawn_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, sign)
            ON CONFLICT (department_code, day) DO UPDATE SET withdrawn = report_day.withdrawn + EXCLUDED.withdrawn;
        END IF;
      END $$`);
    await q.query(`CREATE FUNCTION report_day_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM report_day_apply(OLD, -1); END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM report_day_apply(NEW, 1); END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER processing_report_day AFTER INSERT OR DELETE
      OR UPDATE OF received_at, due_at, decided_at, withdrawn_at, department_code ON processing
      FOR EACH ROW EXECUTE FUNCTION report_day_trigger()`);
    await q.query(`CREATE FUNCTION report_day_rebuild() RETURNS void LANGUAGE sql AS $$
      DELETE FROM report_day;
      INSERT INTO report_day (department_code, day, received, early, on_time, late, withdrawn)
      SELECT department_code, day, sum(received), sum(early), sum(on_time), sum(late), sum(withdrawn) FROM (
        SELECT department_code, (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day, 1 AS received, 0 AS early, 0 AS on_time, 0 AS late, 0 AS withdrawn
          FROM processing WHERE department_code IS NOT NULL
        UNION ALL
        SELECT department_code, d, 0,
          CASE WHEN due IS NOT NULL AND d < due THEN 1 ELSE 0 END, CASE WHEN due IS NULL OR d = due THEN 1 ELSE 0 END,
          CASE WHEN due IS NOT NULL AND d > due THEN 1 ELSE 0 END, 0
          FROM (SELECT department_code, (decided_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS d, (due_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS due
                  FROM processing WHERE department_code IS NOT NULL AND decided_at IS NOT NULL) x
        UNION ALL
        SELECT department_code, (withdrawn_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, 0, 0, 0, 0, 1
          FROM processing WHERE department_code IS NOT NULL AND decided_at IS NULL AND withdrawn_at IS NOT NULL
      ) c GROUP BY department_code, day
    $$`);
    await q.query(`SELECT report_day_rebuild()`);
    // What is still open at an instant: the overdue count reads only these rows.
    await q.query(`CREATE INDEX processing_open_until ON processing (department_code, (coalesce(decided_at, withdrawn_at, 'infinity'::timestamptz)))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS processing_open_until`);
    await q.query(`DROP TRIGGER IF EXISTS processing_report_day ON processing`);
    await q.query(`DROP FUNCTION IF EXISTS report_day_rebuild()`);
    await q.query(`DROP FUNCTION IF EXISTS report_day_trigger()`);
    await q.query(`DROP FUNCTION IF EXISTS report_day_apply(processing, int)`);
    await q.query(`DROP TABLE IF EXISTS report_day`);
  }
}
