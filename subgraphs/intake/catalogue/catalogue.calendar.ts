import type { EntityManager } from 'typeorm';
import { HOLIDAY_CALENDAR } from '../../kit/calendar/holidays';

export interface CalendarInput { holidays: string[]; workingDays: string[] }

/** Until the calendar is data (issue13-calendar): days the coded calendar already has are accepted, others refused. */
export async function applyCalendar(_m: EntityManager, input: CalendarInput, _reason: string): Promise<{ added: number; recomputed: number }> {
  const known = new Set(HOLIDAY_CALENDAR.flatMap((y) => [...y.daysOff, ...y.workingWeekends]));
  const fresh = [...input.holidays, ...input.workingDays].filter((d) => !known.has(d));
  if (fresh.length) throw new Error(`calendar days ${fresh.join(', ')} need the calendar store`);
  return { added: 0, recomputed: 0 };
}
