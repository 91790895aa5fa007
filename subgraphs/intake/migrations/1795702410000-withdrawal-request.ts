import { MigrationInterface, QueryRunner } from 'typeorm';

export const applyFunction = (status: boolean) => `CREATE OR REPLACE FUNCTION register_day_apply(d dossier, sign int) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO register_day (department_code, day, online, direct, postal, handed_digest${status ? ', status_digest' : ''})
          VALUES (d.department_code, (d.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date,
            CASE WHEN d.channel = 'ONLINE' THEN sign ELSE 0 END, CASE WHEN d.channel = 'DIRECT' THEN sign ELSE 0 END,
            CASE WHEN d.channel = 'POSTAL' THEN sign ELSE 0 END, dossier_code_digest(d.code)${status ? ', dossier_status_digest(d.code, d.status)' : ''})
          ON CONFLICT (department_code, day) DO UPDATE SET online = register_day.online + EXCLUDED.online,
            direct = register_day.direct + EXCLUDED.direct, postal = register_day.postal + EXCLUDED.postal,
            handed_digest = register_day.handed_digest # EXCLUDED.handed_digest${
              status ? ', status_digest = register_day.status_digest # EXCLUDED.status_digest' : ''};
        IF d.decided_at IS NOT NULL THEN
          INSERT INTO register_day (department_code, day, decided) VALUES (d.department_code, (d.decided_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, sign)
            ON CONFLICT (department_code, day) DO UPDATE SET decided = register_day.decided + EXCLUDED.decided;
        END IF;
        IF d.returned_at IS NOT NULL AND d.return_channel = 'POSTAL' THEN
          INSERT INTO register_day (department_code, day, returned_by_post) VALUES (d.department_code, (d.returned_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, sign)
            ON CONFLICT (department_code, day) DO UPDATE SET returned_by_post = register_day.returned_by_post + EXCLUDED.returned_by_post;
        END IF;
      END $$`;

export const rebuildFunction = (status: boolean) => `CREATE OR REPLACE FUNCTION register_day_rebuild() RETURNS void LANGUAGE sql AS $$
      DELETE FROM register_day;
      INSERT INTO register_day (department_code, day, online, direct, postal, decided, returned_by_post, handed_digest${status ? ', status_digest' : ''})
      SELECT department_code, day, sum(online), sum(direct), sum(postal), sum(decided), sum(by_post), bit_xor(digest)${status ? ', bit_xor(status_digest)' : ''} FROM (
        SELECT department_code, (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day,
          (channel = 'ONLINE')::int AS online, (channel = 'DIRECT')::int AS direct, (channel = 'POSTAL')::int AS postal, 0 AS decided, 0 AS by_post,
          dossier_code_digest(code) AS digest, ${status ? 'dossier_status_digest(code, status)' : '0::bigint'} AS status_digest FROM dossier
        UNION ALL
        SELECT department_code, (decided_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, 0, 0, 0, 1, 0, 0, 0 FROM dossier WHERE decided_at IS NOT NULL
        UNION ALL
        SELECT department_code, (returned_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, 0, 0, 0, 0, 1, 0, 0 FROM dossier WHERE returned_at IS NOT NULL AND return_channel = 'POSTAL'
      ) c GROUP BY department_code, day
    $$`;

const trigger = (columns: string) => `DROP TRIGGER dossier_register_day ON dossier;
  CREATE TRIGGER dossier_register_day AFTER INSERT OR DELETE OR UPDATE OF ${columns} ON dossier
  FOR EACH ROW EXECUTE FUNCTION register_day_trigger()`;

const COLUMNS = 'code, received_at, channel, decided_at, returned_at, return_channel, department_code';

/**
 * A withdrawal of a dossier in a department's own system is a request until that system answers
 * (withdrawal_requested_at, null again once answered); and the register's side of the status digest (see
 * the kit's StatusDigest), per department and day of receipt, for reconciliation to compare statuses.
 */
export class WithdrawalRequest1795702410000 implements MigrationInterface {
  name = 'WithdrawalRequest1795702410000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dossier ADD withdrawal_requested_at timestamptz`);
    await q.query(`ALTER TABLE register_day ADD status_digest bigint NOT NULL DEFAULT 0`);
    await q.query(applyFunction(true));
    await q.query(rebuildFunction(true));
    await q.query(trigger(`${COLUMNS}, status`));
    await q.query(`UPDATE register_day r SET status_digest = x.digest
      FROM (SELECT department_code, (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day, bit_xor(dossier_status_digest(code, status)) AS digest
              FROM dossier GROUP BY 1, 2) x
     WHERE r.department_code = x.department_code AND r.day = x.day`);
    await q.query(`DROP INDEX register_day_by_day`);
    await q.query(`CREATE INDEX register_day_by_day ON register_day (day)
      INCLUDE (department_code, online, direct, postal, decided, returned_by_post, handed_digest, status_digest)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX register_day_by_day`);
    await q.query(`CREATE INDEX register_day_by_day ON register_day (day)
      INCLUDE (department_code, online, direct, postal, decided, returned_by_post, handed_digest)`);
    await q.query(applyFunction(false));
    await q.query(rebuildFunction(false));
    await q.query(trigger(COLUMNS));
    await q.query(`ALTER TABLE register_day DROP COLUMN status_digest`);
    await q.query(`ALTER TABLE dossier DROP COLUMN withdrawal_requested_at`);
  }
}
