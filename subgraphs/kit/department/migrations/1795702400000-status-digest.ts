import { MigrationInterface, QueryRunner } from 'typeorm';

export const applyFunction = (status: boolean) => `CREATE OR REPLACE FUNCTION report_day_apply(p processing, sign int) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE d date; due date;
      BEGIN
        IF p.department_code IS NULL THEN RETURN; END IF;
        INSERT INTO report_day (department_code, day, received, received_digest${status ? ', status_digest' : ''})
          VALUES (p.department_code, (p.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, sign, dossier_code_digest(p.dossier_code)${
            status ? ', dossier_status_digest(p.dossier_code, p.status)' : ''})
          ON CONFLICT (department_code, day) DO UPDATE SET received = report_day.received + EXCLUDED.received,
            received_digest = report_day.received_digest # EXCLUDED.received_digest${
              status ? ', status_digest = report_day.status_digest # EXCLUDED.status_digest' : ''};
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

export const rebuildFunction = (status: boolean) => `CREATE OR REPLACE FUNCTION report_day_rebuild() RETURNS void LANGUAGE sql AS $$
      DELETE FROM report_day;
      INSERT INTO report_day (department_code, day, received, early, on_time, late, withdrawn, received_digest${status ? ', status_digest' : ''})
      SELECT department_code, day, sum(received), sum(early), sum(on_time), sum(late), sum(withdrawn), bit_xor(digest)${status ? ', bit_xor(status_digest)' : ''} FROM (
        SELECT department_code, (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day, 1 AS received, 0 AS early, 0 AS on_time, 0 AS late, 0 AS withdrawn,
            dossier_code_digest(dossier_code) AS digest, ${status ? 'dossier_status_digest(dossier_code, status)' : '0::bigint'} AS status_digest
          FROM processing WHERE department_code IS NOT NULL
        UNION ALL
        SELECT department_code, d, 0,
          CASE WHEN due IS NOT NULL AND d < due THEN 1 ELSE 0 END, CASE WHEN due IS NULL OR d = due THEN 1 ELSE 0 END,
          CASE WHEN due IS NOT NULL AND d > due THEN 1 ELSE 0 END, 0, 0, 0
          FROM (SELECT department_code, (decided_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS d, (due_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS due
                  FROM processing WHERE department_code IS NOT NULL AND decided_at IS NOT NULL) x
        UNION ALL
        SELECT department_code, (withdrawn_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, 0, 0, 0, 0, 1, 0, 0
          FROM processing WHERE department_code IS NOT NULL AND decided_at IS NULL AND withdrawn_at IS NOT NULL
      ) c GROUP BY department_code, day
    $$`;

const trigger = (columns: string) => `DROP TRIGGER processing_report_day ON processing;
  CREATE TRIGGER processing_report_day AFTER INSERT OR DELETE OR UPDATE OF ${columns} ON processing
  FOR EACH ROW EXECUTE FUNCTION report_day_trigger()`;

/**
 * The status of every dossier a system holds, per day of receipt, in one number: the XOR of a digest of
 * (code, status), kept beside the received digest. The register keeps the same of its statuses, so a
 * register that says CANCELLED where the department says decided shows as a difference on that day, and
 * reconciliation can name the dossier by trying the other statuses of that day's dossiers. The trigger now
 * watches the status, which no count depends on: the XOR undoes the old pair and adds the new.
 *
 * Also the refusal of a withdrawal that reached the system after its decision.
 */
export class StatusDigest1795702400000 implements MigrationInterface {
  name = 'StatusDigest1795702400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE FUNCTION dossier_status_digest(code text, status text) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT dossier_code_digest(code || '|' || status) $$`);
    await q.query(`ALTER TABLE processing ADD withdrawal_refused_at timestamptz`);
    await q.query(`ALTER TABLE report_day ADD status_digest bigint NOT NULL DEFAULT 0`);
    await q.query(applyFunction(true));
    await q.query(rebuildFunction(true));
    await q.query(trigger('dossier_code, received_at, due_at, decided_at, withdrawn_at, department_code, status'));
    await q.query(`UPDATE report_day r SET status_digest = x.digest
      FROM (SELECT department_code, (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day, bit_xor(dossier_status_digest(dossier_code, status)) AS digest
              FROM processing WHERE department_code IS NOT NULL GROUP BY 1, 2) x
     WHERE r.department_code = x.department_code AND r.day = x.day`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(applyFunction(false));
    await q.query(rebuildFunction(false));
    await q.query(trigger('dossier_code, received_at, due_at, decided_at, withdrawn_at, department_code'));
    await q.query(`ALTER TABLE report_day DROP COLUMN status_digest`);
    await q.query(`ALTER TABLE processing DROP COLUMN withdrawal_refused_at`);
    await q.query(`DROP FUNCTION dossier_status_digest(text, text)`);
  }
}
