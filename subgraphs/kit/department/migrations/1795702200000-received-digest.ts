import { MigrationInterface, QueryRunner } from 'typeorm';

const applyFunction = (digest: boolean) => `CREATE OR REPLACE FUNCTION report_day_apply(p processing, sign int) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE d date; due date;
      BEGIN
        IF p.department_code IS NULL THEN RETURN; END IF;
        INSERT INTO report_day (department_code, day, received${digest ? ', received_digest' : ''})
          VALUES (p.department_code, (p.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, sign${digest ? ', dossier_code_digest(p.dossier_code)' : ''})
          ON CONFLICT (department_code, day) DO UPDATE SET received = report_day.received + EXCLUDED.received${
            digest ? ', received_digest = report_day.received_digest # EXCLUDED.received_digest' : ''};
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
      END $$`;

const rebuildFunction = (digest: boolean) => `CREATE OR REPLACE FUNCTION report_day_rebuild() RETURNS void LANGUAGE sql AS $$
      DELETE FROM report_day;
      INSERT INTO report_day (department_code, day, received, early, on_time, late, withdrawn${digest ? ', received_digest' : ''})
      SELECT department_code, day, sum(received), sum(early), sum(on_time), sum(late), sum(withdrawn)${digest ? ', bit_xor(digest)' : ''} FROM (
        SELECT department_code, (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day, 1 AS received, 0 AS early, 0 AS on_time, 0 AS late, 0 AS withdrawn,
            ${digest ? 'dossier_code_digest(dossier_code)' : '0'} AS digest
          FROM processing WHERE department_code IS NOT NULL
        UNION ALL
        SELECT department_code, d, 0,
          CASE WHEN due IS NOT NULL AND d < due THEN 1 ELSE 0 END, CASE WHEN due IS NULL OR d = due THEN 1 ELSE 0 END,
          CASE WHEN due IS NOT NULL AND d > due THEN 1 ELSE 0 END, 0, 0
          FROM (SELECT department_code, (decided_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS d, (due_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS due
                  FROM processing WHERE department_code IS NOT NULL AND decided_at IS NOT NULL) x
        UNION ALL
        SELECT department_code, (withdrawn_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, 0, 0, 0, 0, 1, 0
          FROM processing WHERE department_code IS NOT NULL AND decided_at IS NULL AND withdrawn_at IS NOT NULL
      ) c GROUP BY department_code, day
    $$`;

/**
 * Which dossiers a system holds, per day, in one number: the XOR of a 64-bit digest of each dossier code
 * received that day, kept with the daily counts. The register keeps the same for what it handed over; where
 * the two differ by one dossier on a day, the XOR of the two is that dossier's digest, so reconciliation can
 * name it without either system sending its list. XOR is its own inverse: an update undoes and redoes alike.
 */
export class ReceivedDigest1795702200000 implements MigrationInterface {
  name = 'ReceivedDigest1795702200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE FUNCTION dossier_code_digest(code text) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT ('x' || substr(md5(code), 1, 16))::bit(64)::bigint $$`);
    await q.query(`ALTER TABLE report_day ADD received_digest bigint NOT NULL DEFAULT 0`);
    await q.query(applyFunction(true));
    // A code that changes must undo its old digest too.
    await q.query(`DROP TRIGGER processing_report_day ON processing`);
    await q.query(`CREATE TRIGGER processing_report_day AFTER INSERT OR DELETE
      OR UPDATE OF dossier_code, received_at, due_at, decided_at, withdrawn_at, department_code ON processing
      FOR EACH ROW EXECUTE FUNCTION report_day_trigger()`);
    await q.query(rebuildFunction(true));
    await q.query(`UPDATE report_day r SET received_digest = x.digest
      FROM (SELECT department_code, (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day, bit_xor(dossier_code_digest(dossier_code)) AS digest
              FROM processing WHERE department_code IS NOT NULL GROUP BY 1, 2) x
     WHERE r.department_code = x.department_code AND r.day = x.day`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(applyFunction(false));
    await q.query(rebuildFunction(false));
    await q.query(`DROP TRIGGER processing_report_day ON processing`);
    await q.query(`CREATE TRIGGER processing_report_day AFTER INSERT OR DELETE
      OR UPDATE OF received_at, due_at, decided_at, withdrawn_at, department_code ON processing
      FOR EACH ROW EXECUTE FUNCTION report_day_trigger()`);
    await q.query(`ALTER TABLE report_day DROP COLUMN received_digest`);
    await q.query(`DROP FUNCTION dossier_code_digest(text)`);
  }
}
