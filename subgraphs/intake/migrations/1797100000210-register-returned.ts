import { MigrationInterface, QueryRunner } from 'typeorm';
import { applyFunction as previousApply, rebuildFunction as previousRebuild } from './1795702410000-withdrawal-request';

const BY_DAY = 'department_code, online, direct, postal, decided, returned_by_post, handed_digest, status_digest';

/**
 * Results returned in the period by any channel, beside those returned by post: the denominator of the
 * post-returns rate (domain.md), which can then never pass 100%. The recount the rebuild writes is also a
 * function of its own, so `rollups:verify` compares the rollup with the very query that would rebuild it.
 */
export class RegisterReturned1797100000210 implements MigrationInterface {
  name = 'RegisterReturned1797100000210';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE register_day ADD returned int NOT NULL DEFAULT 0`);
    await q.query(`CREATE OR REPLACE FUNCTION register_day_apply(d dossier, sign int) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO register_day (department_code, day, online, direct, postal, handed_digest, status_digest)
          VALUES (d.department_code, (d.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date,
            CASE WHEN d.channel = 'ONLINE' THEN sign ELSE 0 END, CASE WHEN d.channel = 'DIRECT' THEN sign ELSE 0 END,
            CASE WHEN d.channel = 'POSTAL' THEN sign ELSE 0 END, dossier_code_digest(d.code), dossier_status_digest(d.code, d.status))
          ON CONFLICT (department_code, day) DO UPDATE SET online = register_day.online + EXCLUDED.online,
            direct = register_day.direct + EXCLUDED.direct, postal = register_day.postal + EXCLUDED.postal,
            handed_digest = register_day.handed_digest # EXCLUDED.handed_digest,
            status_digest = register_day.status_digest # EXCLUDED.status_digest;
        IF d.decided_at IS NOT NULL THEN
          INSERT INTO register_day (department_code, day, decided) VALUES (d.department_code, (d.decided_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, sign)
            ON CONFLICT (department_code, day) DO UPDATE SET decided = register_day.decided + EXCLUDED.decided;
        END IF;
        IF d.returned_at IS NOT NULL THEN
          INSERT INTO register_day (department_code, day, returned, returned_by_post)
            VALUES (d.department_code, (d.returned_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, sign, CASE WHEN d.return_channel = 'POSTAL' THEN sign ELSE 0 END)
            ON CONFLICT (department_code, day) DO UPDATE SET returned = register_day.returned + EXCLUDED.returned,
              returned_by_post = register_day.returned_by_post + EXCLUDED.returned_by_post;
        END IF;
      END $$`);
    await q.query(`CREATE FUNCTION register_day_recount() RETURNS TABLE (department_code varchar, day date, online int, direct int, postal int,
        decided int, returned int, returned_by_post int, handed_digest bigint, status_digest bigint) LANGUAGE sql STABLE AS $$
      SELECT department_code, day, sum(online)::int, sum(direct)::int, sum(postal)::int, sum(decided)::int, sum(returned)::int, sum(by_post)::int,
             bit_xor(digest), bit_xor(status_digest) FROM (
        SELECT department_code, (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day,
          (channel = 'ONLINE')::int AS online, (channel = 'DIRECT')::int AS direct, (channel = 'POSTAL')::int AS postal, 0 AS decided,
          0 AS returned, 0 AS by_post, dossier_code_digest(code) AS digest, dossier_status_digest(code, status) AS status_digest FROM dossier
        UNION ALL
        SELECT department_code, (decided_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, 0, 0, 0, 1, 0, 0, 0, 0 FROM dossier WHERE decided_at IS NOT NULL
        UNION ALL
        SELECT department_code, (returned_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, 0, 0, 0, 0, 1, (return_channel = 'POSTAL')::int, 0, 0
          FROM dossier WHERE returned_at IS NOT NULL
      ) c GROUP BY department_code, day
    $$`);
    await q.query(`CREATE OR REPLACE FUNCTION register_day_rebuild() RETURNS void LANGUAGE sql AS $$
      DELETE FROM register_day;
      INSERT INTO register_day (department_code, day, online, direct, postal, decided, returned, returned_by_post, handed_digest, status_digest)
      SELECT * FROM register_day_recount()
    $$`);
    await q.query(`SELECT register_day_rebuild()`);
    await q.query(`DROP INDEX register_day_by_day`);
    await q.query(`CREATE INDEX register_day_by_day ON register_day (day) INCLUDE (${BY_DAY}, returned)`);
    // The register's dossiers handed to other systems: their due date as of receipt (the history before is not known).
    await q.query(`INSERT INTO due_date_change (dossier_code, due_at, at, reason)
      SELECT code, due_at, received_at, 'RECEIVED' FROM dossier d WHERE NOT EXISTS (SELECT 1 FROM processing p WHERE p.dossier_code = d.code)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM due_date_change c WHERE NOT EXISTS (SELECT 1 FROM processing p WHERE p.dossier_code = c.dossier_code)`);
    await q.query(`DROP INDEX register_day_by_day`);
    await q.query(`CREATE INDEX register_day_by_day ON register_day (day) INCLUDE (${BY_DAY})`);
    await q.query(previousApply(true));
    await q.query(previousRebuild(true));
    await q.query(`DROP FUNCTION register_day_recount()`);
    await q.query(`ALTER TABLE register_day DROP COLUMN returned`);
  }
}
