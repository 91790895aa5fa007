import { MigrationInterface, QueryRunner } from 'typeorm';

/** The register's daily counts per department (new dossiers by channel, decisions recorded, post returns), kept by a trigger. */
export class RegisterRollup1795701200000 implements MigrationInterface {
  name = 'RegisterRollup1795701200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE register_day (
      department_code varchar(16) NOT NULL, day date NOT NULL,
      online int NOT NULL DEFAULT 0, direct int NOT NULL DEFAULT 0, postal int NOT NULL DEFAULT 0,
      decided int NOT NULL DEFAULT 0, returned_by_post int NOT NULL DEFAULT 0,
      PRIMARY KEY (department_code, day))`);
    await q.query(`CREATE FUNCTION register_day_apply(d dossier, sign int) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO register_day (department_code, day, online, direct, postal)
          VALUES (d.department_code, (d.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date,
            CASE WHEN d.channel = 'ONLINE' THEN sign ELSE 0 END, CASE WHEN d.channel = 'DIRECT' THEN sign ELSE 0 END,
            CASE WHEN d.channel = 'POSTAL' THEN sign ELSE 0 END)
          ON CONFLICT (department_code, day) DO UPDATE SET online = register_day.online + EXCLUDED.online,
            direct = register_day.direct + EXCLUDED.direct, postal = register_day.postal + EXCLUDED.postal;
        IF d.decided_at IS NOT NULL THEN
          INSERT INTO register_day (department_code, day, decided) VALUES (d.department_code, (d.decided_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, sign)
            ON CONFLICT (department_code, day) DO UPDATE SET decided = register_day.decided + EXCLUDED.decided;
        END IF;
        IF d.returned_at IS NOT NULL AND d.return_channel = 'POSTAL' THEN
          INSERT INTO register_day (department_code, day, returned_by_post) VALUES (d.department_code, (d.returned_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, sign)
            ON CONFLICT (department_code, day) DO UPDATE SET returned_by_post = register_day.returned_by_post + EXCLUDED.returned_by_post;
        END IF;
      END $$`);
    await q.query(`CREATE FUNCTION register_day_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM register_day_apply(OLD, -1); END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM register_day_apply(NEW, 1); END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER dossier_register_day AFTER INSERT OR DELETE
      OR UPDATE OF received_at, channel, decided_at, returned_at, return_channel, department_code ON dossier
      FOR EACH ROW EXECUTE FUNCTION register_day_trigger()`);
    await q.query(`CREATE FUNCTION register_day_rebuild() RETURNS void LANGUAGE sql AS $$
      DELETE FROM register_day;
      INSERT INTO register_day (department_code, day, online, direct, postal, decided, returned_by_post)
      SELECT department_code, day, sum(online), sum(direct), sum(postal), sum(decided), sum(by_post) FROM (
        SELECT department_code, (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day,
          (channel = 'ONLINE')::int AS online, (channel = 'DIRECT')::int AS direct, (channel = 'POSTAL')::int AS postal, 0 AS decided, 0 AS by_post FROM dossier
        UNION ALL
        SELECT department_code, (decided_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, 0, 0, 0, 1, 0 FROM dossier WHERE decided_at IS NOT NULL
        UNION ALL
        SELECT department_code, (returned_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, 0, 0, 0, 0, 1 FROM dossier WHERE returned_at IS NOT NULL AND return_channel = 'POSTAL'
      ) c GROUP BY department_code, day
    $$`);
    await q.query(`SELECT register_day_rebuild()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS dossier_register_day ON dossier`);
    await q.query(`DROP FUNCTION IF EXISTS register_day_rebuild()`);
    await q.query(`DROP FUNCTION IF EXISTS register_day_trigger()`);
    await q.query(`DROP FUNCTION IF EXISTS register_day_apply(dossier, int)`);
    await q.query(`DROP TABLE IF EXISTS register_day`);
  }
}
