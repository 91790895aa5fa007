import type { EntityManager } from 'typeorm';
import { recordDueDates } from '../department/due-date';
import type { Decision, ProcessingStatus } from '../department/processing-status';
import { localTime, WorkingCalendar } from './working-time';

/** A processing record's due date laid out again under a changed calendar. */
export interface RecomputedDueDate {
  dossierCode: string;
  status: ProcessingStatus;
  decision: Decision | null;
  dueAt: Date;
}

/** Tells whoever keeps the dossiers' other copy (the register) of the due dates a calendar change moved. */
export type DueDateReporter = (m: EntityManager, changed: RecomputedDueDate[], at: Date, reason: string) => Promise<void>;

/** Not decided, withdrawn, refused, stopped or returned: a due date still ahead of the dossier. */
const OPEN = ['RECEIVING', 'NEW', 'PROCESSING', 'WAITING', 'PAYING'];

/**
 * Moves the due date of every open processing record the change can reach (one due on or after the first changed
 * day): the working hours its span held under the calendar `before` (the procedure's days and any pause already
 * added) laid out again from its receipt under `after`. So a department system needs no catalogue, and a
 * procedure's working days changed since receipt do not move a dossier received under the old ones.
 */
export async function recomputeDueDates(
  m: EntityManager,
  before: WorkingCalendar,
  after: WorkingCalendar,
  firstChangedDay: string,
  at: Date,
  reason: string,
  report: DueDateReporter,
): Promise<number> {
  const rows: { dossierCode: string; receivedAt: Date; dueAt: Date; status: ProcessingStatus; decision: Decision | null }[] = await m.query(
    `SELECT dossier_code AS "dossierCode", received_at AS "receivedAt", due_at AS "dueAt", status, decision FROM processing
      WHERE status = ANY($1) AND due_at >= $2 ORDER BY dossier_code FOR UPDATE`,
    [OPEN, localTime(firstChangedDay)],
  );
  const changed: RecomputedDueDate[] = [];
  for (const r of rows) {
    const dueAt = after.addWorkingHours(r.receivedAt, before.workingHoursBetween(r.receivedAt, r.dueAt));
    if (dueAt.getTime() !== r.dueAt.getTime()) changed.push({ dossierCode: r.dossierCode, status: r.status, decision: r.decision, dueAt });
  }
  if (!changed.length) return 0;
  await m.query(
    `UPDATE processing p SET due_at = u.d FROM unnest($1::text[], $2::timestamptz[]) AS u(c, d) WHERE p.dossier_code = u.c`,
    [changed.map((c) => c.dossierCode), changed.map((c) => c.dueAt)],
  );
  await recordDueDates(m, changed.map((c) => ({ dossierCode: c.dossierCode, dueAt: c.dueAt, at, reason: 'CALENDAR_CHANGED' })));
  await report(m, changed, at, reason);
  return changed.length;
}
