import { RejectedMessage, type Handler } from '../messaging/handover';
import { enqueue } from '../messaging/outbox';
import type { DueDateReporter } from './calendar.recompute';
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
