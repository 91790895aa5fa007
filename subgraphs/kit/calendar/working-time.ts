import { HOLIDAY_CALENDAR, HolidayYear } from './holidays';

/**
 * Working time of Vietnamese public offices: 07:00–11:30 and 13:30–17:00, Asia/Ho_Chi_Minh, which has
 * kept UTC+7 without daylight saving since 1975, so a fixed offset is exact.
 */
export const VN_OFFSET_MS = 7 * 3_600_000;
export const HOURS_PER_WORKING_DAY = 8;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WINDOWS: ReadonlyArray<readonly [number, number]> = [
  [7 * HOUR, 11.5 * HOUR],
  [13.5 * HOUR, 17 * HOUR],
];

export class WorkingCalendar {
  private readonly daysOff = new Set<string>();
  private readonly workingWeekends = new Set<string>();
  private readonly firstYear: number;
  private readonly lastYear: number;

  constructor(years: HolidayYear[] = HOLIDAY_CALENDAR) {
    for (const y of years) {
      y.daysOff.forEach((d) => this.daysOff.add(d));
      y.workingWeekends.forEach((d) => this.workingWeekends.add(d));
    }
    this.firstYear = Math.min(...years.map((y) => y.year));
    this.lastYear = Math.max(...years.map((y) => y.year));
  }

  isWorkingDay(localDate: string): boolean {
    const year = Number(localDate.slice(0, 4));
    if (year < this.firstYear || year > this.lastYear) {
      throw new RangeError(`no holiday calendar for ${year}`);
    }
    if (this.workingWeekends.has(localDate)) return true;
    const weekday = new Date(`${localDate}T00:00:00Z`).getUTCDay();
    if (weekday === 0 || weekday === 6) return false;
    return !this.daysOff.has(localDate);
  }

  /** The instant `hours` working hours after `start`; receipt outside working time starts at the next window. */
  addWorkingHours(start: Date, hours: number): Date {
    let remaining = Math.round(hours * HOUR);
    let dayStart = localMidnight(start.getTime());
    let cursor = start.getTime();
    for (let guard = 0; guard < 3660; guard++, dayStart += DAY) {
      if (!this.isWorkingDay(toLocalDate(dayStart))) continue;
      for (const [from, to] of WINDOWS) {
        const windowStart = Math.max(dayStart + from, cursor);
        const available = dayStart + to - windowStart;
        if (available < 0) continue;
        if (remaining <= available) return new Date(windowStart + remaining);
        remaining -= available;
      }
    }
    throw new RangeError('deadline beyond ten years');
  }

  /** The statutory deadline: `workingDays` of 8 working hours counted from receipt. */
  dueAt(receivedAt: Date, workingDays: number): Date {
    return this.addWorkingHours(receivedAt, workingDays * HOURS_PER_WORKING_DAY);
  }

  /** Working hours between two instants (0 when `to` is not after `from`). */
  workingHoursBetween(from: Date, to: Date): number {
    let total = 0;
    const end = to.getTime();
    for (let dayStart = localMidnight(from.getTime()); dayStart < end; dayStart += DAY) {
      if (!this.isWorkingDay(toLocalDate(dayStart))) continue;
      for (const [a, b] of WINDOWS) {
        const lo = Math.max(dayStart + a, from.getTime());
        const hi = Math.min(dayStart + b, end);
        if (hi > lo) total += hi - lo;
      }
    }
    return total / HOUR;
  }

  /** The first working instant at or after `at` (07:00 next working day when after hours). */
  nextWorkingInstant(at: Date): Date {
    let dayStart = localMidnight(at.getTime());
    for (let guard = 0; guard < 3660; guard++, dayStart += DAY) {
      if (!this.isWorkingDay(toLocalDate(dayStart))) continue;
      for (const [from, to] of WINDOWS) {
        if (at.getTime() < dayStart + to) return new Date(Math.max(dayStart + from, at.getTime()));
      }
    }
    throw new RangeError('no working time within ten years');
  }
}

/** The local (Asia/Ho_Chi_Minh) calendar date of an instant, as YYYY-MM-DD. */
export function localDate(at: Date): string {
  return toLocalDate(at.getTime());
}

/** The instant of a local wall-clock time, e.g. localTime('2020-04-01', 10) is 10:00 on 1 April in Vietnam. */
export function localTime(date: string, hour = 0, minute = 0, second = 0): Date {
  return new Date(Date.parse(`${date}T00:00:00Z`) - VN_OFFSET_MS + ((hour * 60 + minute) * 60 + second) * 1000);
}

function toLocalDate(ms: number): string {
  return new Date(ms + VN_OFFSET_MS).toISOString().slice(0, 10);
}

function localMidnight(ms: number): number {
  return Math.floor((ms + VN_OFFSET_MS) / DAY) * DAY - VN_OFFSET_MS;
}

export const calendar = new WorkingCalendar();
