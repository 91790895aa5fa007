import { calendar, WorkingCalendar } from '../calendar/working-time';

/** A time awaiting supplements: from the request to the receipt (or the decision, if it came first). */
export interface Wait {
  from: Date;
  to: Date | null;
}

/**
 * A decided dossier's processing time in working hours: from receipt to decision on the working calendar, less
 * the working time spent awaiting supplements (the clock the due date also stops). Computed when the decision is
 * recorded, because SQL cannot run the calendar; rounded to hundredths of an hour (36 seconds), as stored.
 */
export function processingHours(receivedAt: Date, decidedAt: Date, waits: Wait[], days: WorkingCalendar = calendar): number {
  const total = days.workingHoursBetween(receivedAt, decidedAt);
  const paused = waits.reduce((sum, w) => {
    const from = w.from < receivedAt ? receivedAt : w.from;
    const to = !w.to || w.to > decidedAt ? decidedAt : w.to;
    return sum + (to > from ? days.workingHoursBetween(from, to) : 0);
  }, 0);
  return Math.round(Math.max(0, total - paused) * 100) / 100;
}

/** The waits of a timeline of statuses, oldest first: each WAITING until the next status. */
export function waitsOf(steps: { status: string; at: Date }[]): Wait[] {
  return steps.flatMap((s, i) => (s.status === 'WAITING' ? [{ from: s.at, to: steps[i + 1]?.at ?? null }] : []));
}
