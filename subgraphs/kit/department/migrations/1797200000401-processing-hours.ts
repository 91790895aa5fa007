import { MigrationInterface, QueryRunner } from 'typeorm';
import { processingHours, waitsOf } from '../../report/processing-time';

/**
 * Who decided a dossier and its processing time in working hours, kept with the decision: the figures per
 * procedure and per officer aggregate them in SQL, which cannot run the working calendar. Existing decisions
 * are backfilled here from their own status changes (the officer of the RELEASING step, or the record's).
 */
export class ProcessingHours1797200000401 implements MigrationInterface {
  name = 'ProcessingHours1797200000401';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "processing" ADD "decided_by" character varying(120), ADD "processing_hours" numeric(10,2)`);
    await q.query(`CREATE INDEX "status_change_waiting_at" ON "status_change" ("at") WHERE status = 'WAITING'`);
    for (let after = ''; ;) {
      const rows: { code: string; received_at: Date; decided_at: Date; officer: string | null; steps: { status: string; at: string }[] }[] = await q.query(
        `SELECT x.dossier_code AS code, x.received_at, x.decided_at,
                coalesce((SELECT sc.officer FROM status_change sc WHERE sc.dossier_code = x.dossier_code AND sc.status = 'RELEASING'
                           ORDER BY sc.at, sc.id LIMIT 1), x.officer) AS officer,
                (SELECT coalesce(json_agg(json_build_object('status', sc.status, 'at', sc.at) ORDER BY sc.at, sc.id), '[]')
                   FROM status_change sc WHERE sc.dossier_code = x.dossier_code) AS steps
           FROM processing x WHERE x.decided_at IS NOT NULL AND x.dossier_code > $1 ORDER BY x.dossier_code LIMIT 2000`,
        [after],
      );
      if (!rows.length) break;
      await q.query(
        `UPDATE processing x SET decided_by = u.officer, processing_hours = u.hours
           FROM unnest($1::text[], $2::text[], $3::numeric[]) AS u(code, officer, hours) WHERE x.dossier_code = u.code`,
        [rows.map((r) => r.code), rows.map((r) => r.officer),
          rows.map((r) => processingHours(new Date(r.received_at), new Date(r.decided_at), waitsOf(r.steps.map((s) => ({ status: s.status, at: new Date(s.at) })))))],
      );
      after = rows[rows.length - 1].code;
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "status_change_waiting_at"`);
    await q.query(`ALTER TABLE "processing" DROP COLUMN "processing_hours", DROP COLUMN "decided_by"`);
  }
}
