import type { EntityManager } from 'typeorm';
import { RejectedMessage, type Handler } from '../messaging/handover';
import { enqueue } from '../messaging/outbox';
import { recordDueDate } from '../department/due-date';
import { ProcessingStatus } from '../department/processing-status';
import { dueAtUnderChanges, type DueDateReporter } from './calendar.recompute';
import { applyCalendarChange } from './calendar.store';

/** A department system tells the register each due date the change moved, as a STATUS step of the dossier. */
const reportToRegister: DueDateReporter = (m, changed, at, reason) =>
  enqueue(m, changed.map((c) => ({
    destination: 'intake',
    dossierCode: c.dossierCode,
    type: 'STATUS',
    payload: { event: 'CALENDAR_CHANGED', status: c.status, at: at.toISOString(), dueAt: c.dueAt.toISOString(), decision: c.decision, note: reason },
  })));

const dates = (v: unknown): v is string[] => Array.isArray(v) && v.every((d) => typeof d === 'string');

/** Applies the register's calendar change here, once (the inbox), without handing it on. */
export const receiveCalendar: Handler = async (m, message) => {
  const p = message.payload;
  if (!dates(p.holidays) || !dates(p.workingDays) || typeof p.reason !== 'string' || Number.isNaN(Date.parse(p.at))) {
    throw new RejectedMessage('not a calendar change');
  }
  await applyCalendarChange(m, { holidays: p.holidays, workingDays: p.workingDays }, p.reason, { handOver: false, at: new Date(p.at), report: reportToRegister });
};

/**
 * A dossier handed over with a due date the register computed before a calendar change this system has already
 * applied (the two hand-overs travel apart): its due date moves here as the change moved the others, and the
 * register is told.
 */
export async function catchUpWithCalendar(m: EntityManager, dossierCode: string, receivedAt: Date, dueAt: Date, computedAt: Date): Promise<void> {
  const moved = await dueAtUnderChanges(m, receivedAt, dueAt, computedAt);
  if (moved.getTime() === dueAt.getTime()) return;
  const [change] = await m.query(`SELECT reason, added_at AS at FROM calendar_day WHERE added_at > $1 ORDER BY added_at DESC LIMIT 1`, [computedAt]);
  await m.query(`UPDATE processing SET due_at = $2 WHERE dossier_code = $1`, [dossierCode, moved]);
  await recordDueDate(m, dossierCode, moved, change.at, 'CALENDAR_CHANGED');
  await reportToRegister(m, [{ dossierCode, status: ProcessingStatus.NEW, decision: null, dueAt: moved }], change.at, change.reason);
}
