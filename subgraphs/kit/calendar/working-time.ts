import { calendarMissing } from '../errors';
import { HolidayYear, nationalYear } from './holidays';

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

/** The province's own days, beside the national ones: what a system's `calendar_day` rows hold. */
export interface LocalDays {
  holidays: Iterable<string>;
  workingDays: Iterable<string>;
}

/**
 * The national days off (data, else the rule) and the province's own days. Its methods are synchronous (field
 * resolvers and importers call them in loops); `replace` swaps the province's days in at once.
 */
export class WorkingCalendar {
  private readonly years = new Map<number, { daysOff: Set<string>; workingWeekends: Set<string> }>();
  private holidays = new Set<string>();
  private workingDays = new Set<string>();

  /** `years`, when given, are the only national years known (tests); otherwise nationalYear answers. */
  constructor(private readonly fixedYears?: HolidayYear[], local?: LocalDays) {
    if (local) this.replace(local);
  }

  replace(local: LocalDays): void {
    this.holidays = new Set(local.holidays);
    this.workingDays = new Set(local.workingDays);
  }

  /** The province's own days, as last loaded. */
  localDays(): { holidays: string[]; workingDays: string[] } {
    return { holidays: [...this.holidays].sort(), workingDays: [...this.workingDays].sort() };
  }

  isWorkingDay(localDate: string): boolean {
    const national = this.yearOf(Number(localDate.slice(0, 4)));
    if (this.workingDays.has(localDate)) return true;
    if (this.holidays.has(localDate)) return false;
    if (national.workingWeekends.has(localDate)) return true;
    const weekday = new Date(`${localDate}T00:00:00Z`).getUTCDay();
    if (weekday === 0 || weekday === 6) return false;
    return !national.daysOff.has(localDate);
  }

  private yearOf(year: number): { daysOff: Set<string>; workingWeekends: Set<string> } {
    let y = this.years.get(year);
    if (!y) {
      const found = this.fixedYears ? this.fixedYears.find((f) => f.year === year) : nationalYear(year);
      if (!found) throw calendarMissing(`no working-day calendar for ${year}`, { year });
      y = { daysOff: new Set(found.daysOff), workingWeekends: new Set(found.workingWeekends) };
      this.years.set(year, y);
    }
    return y;
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
