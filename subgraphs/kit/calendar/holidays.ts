import Holidays from 'date-holidays';
import decided from './national-holidays.json';

/** Public offices' days off of one year: weekdays closed, and Saturdays worked to make up for a bridged day. */
export interface HolidayYear {
  year: number;
  daysOff: string[];
  workingWeekends: string[];
  /** Filled from the lunar calendar and the usual pattern, not from the year's decision. */
  provisional?: boolean;
  /** Computed by `ruleYear`, not read from the data file. */
  computed?: boolean;
}

/** The years whose days off ship as data (national-holidays.json), as the government decided them. */
export const DECIDED_YEARS: readonly HolidayYear[] = decided.years;

/** The first year the system has a calendar for, and the last one the rule is trusted to compute. */
export const FIRST_YEAR = 2019;
export const HORIZON_YEAR = 2100;

const DAY = 86_400_000;
const lunar = new Holidays('VN');

const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();
const isWeekend = (date: string) => weekday(date) === 0 || weekday(date) === 6;
const shift = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

/** The Gregorian dates of Tết (1/1 lunar) and Hùng Kings' day (10/3 lunar) in a year, by date-holidays' rules. */
function lunarDates(year: number): { tet: string; hungKings: string } {
  const all = lunar.getHolidays(year);
  const dateOf = (rule: string) => {
    const found = all.find((h) => h.rule === rule);
    if (!found) throw new Error(`date-holidays has no ${rule} in ${year}`);
    return found.date.slice(0, 10);
  };
  return { tet: dateOf('vietnamese 1-0-1'), hungKings: dateOf('vietnamese 3-0-10') };
}

/**
 * The days off of a year by the Labour Code 2019 (art. 112) and its usual application to public offices, for
 * years no decision covers yet: New Year's Day; Tết, five working days around the lunar new year (one before it
 * when it falls on a Sunday, Monday or Tuesday, two otherwise: the eve is always off, as every decision since
 * 2019 has it); Hùng Kings' day (10th of the 3rd lunar month); 30 April and 1 May; 2 September and the adjacent
 * day since 2021 (the one that joins a weekend: the 3rd when the 2nd is a Monday, Thursday or Sunday, else the
 * 1st). A holiday on a weekend or on another holiday is made up on the next working day. The bridges the
 * government swaps against a Saturday each year are a decision, not a rule: add them to the province's calendar.
 */
export function ruleYear(year: number): HolidayYear {
  const off = new Set<string>();
  const observe = (date: string) => {
    let day = date;
    while (isWeekend(day) || off.has(day)) day = shift(day, 1);
    off.add(day);
  };
  const { tet, hungKings } = lunarDates(year);
  const before = [0, 1, 2].includes(weekday(tet)) ? 1 : 2;
  const tetDays: string[] = [];
  for (let day = shift(tet, -1); tetDays.length < before; day = shift(day, -1)) if (!isWeekend(day)) tetDays.unshift(day);
  for (let day = tet; tetDays.length < 5; day = shift(day, 1)) if (!isWeekend(day)) tetDays.push(day);
  observe(`${year}-01-01`);
  tetDays.forEach((d) => off.add(d));
  observe(hungKings);
  observe(`${year}-04-30`);
  observe(`${year}-05-01`);
  const national = `${year}-09-02`;
  if (year < 2021) {
    observe(national);
  } else {
    const adjacent = [1, 4, 0].includes(weekday(national)) ? shift(national, 1) : shift(national, -1);
    // The earlier day is made up first, so the later one's make-up moves past it.
    const [first, second] = adjacent < national ? [adjacent, national] : [national, adjacent];
    observe(first);
    observe(second);
  }
  return { year, daysOff: [...off].sort(), workingWeekends: [], computed: true };
}

/** The national days off of a year: the decision's when it ships as data, else the rule's; undefined outside FIRST_YEAR..HORIZON_YEAR. */
export function nationalYear(year: number): HolidayYear | undefined {
  if (year < FIRST_YEAR || year > HORIZON_YEAR) return undefined;
  const decidedYear = DECIDED_YEARS.find((y) => y.year === year);
  if (decidedYear) return decidedYear;
  // The lunar computation takes a tenth of a second: once per year and process.
  let computed = computedYears.get(year);
  if (!computed) computedYears.set(year, (computed = ruleYear(year)));
  return computed;
}

const computedYears = new Map<number, HolidayYear>();
