import type { EntityManager } from 'typeorm';
import { DEPARTMENT_SYSTEMS } from '../../registry';
import { badUserInput, calendarMissing } from '../errors';
import { enqueue } from '../messaging/outbox';
import { CALENDAR_CHANNEL, calendarDays, reloadWhenCommitted } from './calendar.follower';
import { DueDateReporter, recomputeDueDates } from './calendar.recompute';
import { FIRST_YEAR, HORIZON_YEAR } from './holidays';
import { WorkingCalendar } from './working-time';

export interface CalendarInput {
  /** Days off the province adds, YYYY-MM-DD local dates. */
  holidays: string[];
  /** Weekend days worked (in exchange for a bridge holiday), YYYY-MM-DD local dates. */
  workingDays: string[];
}

/** The hand-over that carries a change of the register's calendar to every department system. */
export const CALENDAR = 'CALENDAR';
/** Changes of the calendar are applied one at a time in a database: each reads the calendar the previous one left. */
const CALENDAR_LOCK = 7_200_001;

/**
 * Held shared by a write that computes a due date from the stored calendar (a hand-over opening a record), so that
 * a calendar change, which holds it exclusively, either sees that record and moves it or commits first and is seen
 * by it: never both (moved twice) nor neither (never moved). Shared, so such writes do not wait for each other.
 */
export function holdCalendarSteady(m: EntityManager): Promise<unknown> {
  return m.query('SELECT pg_advisory_xact_lock_shared($1)', [CALENDAR_LOCK]);
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Names every malformed date or date out of the calendar's years, and a day given both as holiday and as working day. */
export function checkCalendarInput(input: CalendarInput): void {
  const problems: string[] = [];
  let outside: number | undefined;
  for (const [field, days] of [['holidays', input.holidays], ['workingDays', input.workingDays]] as const) {
    for (const day of days) {
      const valid = typeof day === 'string' && DATE.test(day) && new Date(`${day}T00:00:00Z`).toISOString().startsWith(day);
      if (!valid) problems.push(`${field}: "${String(day).slice(0, 40)}" is not a date YYYY-MM-DD`);
      else if (Number(day.slice(0, 4)) < FIRST_YEAR || Number(day.slice(0, 4)) > HORIZON_YEAR) outside ??= Number(day.slice(0, 4));
    }
  }
  for (const day of input.holidays) if (input.workingDays.includes(day)) problems.push(`${day} is both a holiday and a working day`);
  if (problems.length) throw badUserInput(problems.join('; '), { problems });
  if (outside !== undefined) throw calendarMissing(`no working-day calendar for ${outside}: the calendar covers ${FIRST_YEAR}–${HORIZON_YEAR}`, { year: outside });
}

/** How the register updates its dossiers from its own processing records; set by the register's module. */
let registerReporter: DueDateReporter | undefined;
export function setRegisterReporter(report: DueDateReporter): void {
  registerReporter = report;
}

export interface CalendarChangeOptions {
  /** false in a department system applying the register's hand-over: it reports its due dates to the register instead. */
  handOver?: boolean;
  /** The instant the change came into force (the register's, carried by the hand-over); now when absent. */
  at?: Date;
  /** Where the recomputed due dates go: the register's own dossiers (default where handing over), or the centre. */
  report?: DueDateReporter;
}

/**
 * Adds the days to the system's calendar (idempotent: a day already there is left), reloads this process's calendar,
 * makes the change reach the other systems (hand-over) and recomputes open dossiers' due dates, all inside `m`'s transaction
 * (reload after commit). Returns what changed: the days added here and the open processing records of this system
 * whose due date moved (the department systems recompute theirs when the hand-over arrives).
 */
export async function applyCalendarChange(
  m: EntityManager,
  input: CalendarInput,
  reason: string,
  options: CalendarChangeOptions = {},
): Promise<{ added: number; recomputed: number }> {
  if (!m.queryRunner?.isTransactionActive) return m.transaction((t) => applyCalendarChange(t, input, reason, options));
  checkCalendarInput(input);
  const handOver = options.handOver ?? true;
  const report = options.report ?? (handOver ? registerReporter : undefined);
  if (!report) throw new Error('the register\'s due-date reporter is not loaded (subgraphs/intake/calendar.ts)');
  const at = options.at ?? new Date();
  const why = reason.trim().slice(0, 200) || 'calendar change';
  await m.query('SELECT pg_advisory_xact_lock($1)', [CALENDAR_LOCK]);
  const before = new WorkingCalendar(undefined, await calendarDays(m));
  const days = [...input.holidays.map((d) => [d, 'HOLIDAY']), ...input.workingDays.map((d) => [d, 'WORKING_DAY'])];
  const inserted: { date: string; kind: string }[] = await m.query(
    `INSERT INTO calendar_day (date, kind, reason, added_at)
     SELECT d::date, k, $3, $4 FROM unnest($1::text[], $2::text[]) AS u(d, k)
     ON CONFLICT (date) DO NOTHING RETURNING to_char(date, 'YYYY-MM-DD') AS date, kind`,
    [days.map((d) => d[0]), days.map((d) => d[1]), why, at],
  );
  if (!inserted.length) return { added: 0, recomputed: 0 };
  const after = new WorkingCalendar(undefined, await calendarDays(m));
  const added = {
    holidays: inserted.filter((r) => r.kind === 'HOLIDAY').map((r) => r.date).sort(),
    workingDays: inserted.filter((r) => r.kind === 'WORKING_DAY').map((r) => r.date).sort(),
  };
  const recomputed = await recomputeDueDates(m, before, after, inserted.map((r) => r.date).sort()[0], at, why, report);
  if (handOver) {
    await enqueue(m, DEPARTMENT_SYSTEMS.map((s) => ({
      destination: s.name,
      dossierCode: 'calendar',
      type: CALENDAR,
      payload: { ...added, reason: why, at: at.toISOString() },
    })));
  }
  await m.query('SELECT pg_notify($1, $2)', [CALENDAR_CHANNEL, '']);
  reloadWhenCommitted(m);
  return { added: inserted.length, recomputed };
}
