import type { EntityManager } from 'typeorm';
import { calendar, WorkingCalendar } from '../calendar/working-time';
import type { DossierHistory } from '../history';

/** A due date a dossier had, from the instant it came into force, and why it changed. */
export interface DueDateChange {
  dossierCode: string;
  dueAt: Date | null;
  at: Date;
  /** RECEIVED, SUPPLEMENT_RECEIVED, IMPORTED, a status event reported to the register, CALENDAR_CHANGED… */
  reason: string;
}

/**
 * Keeps due-date changes as events, the one place they are written (`due_date_change`, in every system with
 * processing records): reports count "overdue at the end of the period" and a past deadline against the due date
 * in force then, not today's. The same change recorded twice (the one-stop system and the register share a
 * database) is kept once.
 */
export async function recordDueDates(m: EntityManager, changes: DueDateChange[]): Promise<void> {
  if (!changes.length) return;
  await m.query(
    `INSERT INTO due_date_change (dossier_code, due_at, at, reason)
     SELECT c, d, a, r FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::text[]) AS u(c, d, a, r)
      WHERE NOT EXISTS (SELECT 1 FROM due_date_change x WHERE x.dossier_code = u.c AND x.at = u.a AND x.due_at IS NOT DISTINCT FROM u.d)`,
    [changes.map((c) => c.dossierCode), changes.map((c) => c.dueAt), changes.map((c) => c.at), changes.map((c) => c.reason.slice(0, 40))],
  );
}

export function recordDueDate(m: EntityManager, dossierCode: string, dueAt: Date | null, at: Date, reason: string): Promise<void> {
  return recordDueDates(m, [{ dossierCode, dueAt, at, reason }]);
}

/**
 * The instant `hours` working hours before `end` (the inverse of addWorkingHours), to the millisecond: working time
 * is counted in whole milliseconds, so the search lands on the due date itself (a coarser search left it up to a
 * second late, and a dossier due at 09:00 was not yet overdue at 09:00:00.5).
 */
function workingHoursBefore(end: Date, hours: number, days: WorkingCalendar): Date {
  let lo = end.getTime() - (hours / 8 + 1) * 7 * 86_400_000 - 30 * 86_400_000;
  let hi = end.getTime();
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (days.workingHoursBetween(new Date(mid), end) > hours) lo = mid;
    else hi = mid;
  }
  return new Date(hi);
}

/**
 * The due dates an imported history had: its `dueAt` is the last one, moved by every finished wait for
 * supplements; before each wait ended, it was earlier by that wait's working time.
 */
export function dueDatesOf(h: DossierHistory, days: WorkingCalendar = calendar): DueDateChange[] {
  const waits: { from: Date; to: Date }[] = [];
  let since: Date | null = null;
  for (const e of h.events) {
    if (e.type === 'SUPPLEMENT_REQUESTED') since = e.at;
    if (e.type === 'SUPPLEMENT_RECEIVED' && since) {
      waits.push({ from: since, to: e.at });
      since = null;
    }
  }
  const changes: DueDateChange[] = [];
  let due: Date | null = h.dueAt ?? null;
  for (const w of waits.reverse()) {
    changes.push({ dossierCode: h.code, dueAt: due, at: w.to, reason: 'SUPPLEMENT_RECEIVED' });
    const paused = days.workingHoursBetween(w.from, w.to);
    if (due && paused > 0) due = workingHoursBefore(due, paused, days);
  }
  changes.push({ dossierCode: h.code, dueAt: due, at: h.receivedAt, reason: 'IMPORTED' });
  return changes.reverse();
}
