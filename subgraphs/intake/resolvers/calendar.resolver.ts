import { Arg, Int, Query, Resolver } from 'type-graphql';
import { calendar } from '../../kit/calendar/working-time';
import { badUserInput } from '../../kit/errors';
import { LocalDateScalar } from '../../kit/report/period';

/** The longest deadline a procedure has is far below a year of working days. */
const MAX_WORKING_DAYS = 365;

/** The working-day calendar, for front-ends (the portal shows the expected date before a citizen submits): no token needed. */
@Resolver()
export class CalendarResolver {
  @Query(() => Date, {
    description:
      'The instant `workingDays` working days (8 working hours each, 07:00–11:30 and 13:30–17:00 Vietnam time) after `from`, ' +
      'on the national calendar and the province\'s own days: the due date of a dossier received then. ' +
      '`workingDays` is 1..365. CALENDAR_MISSING (naming the year) past the years the calendar covers.',
  })
  dueDate(@Arg('from', () => Date) from: Date, @Arg('workingDays', () => Int) workingDays: number): Date {
    if (!Number.isInteger(workingDays) || workingDays < 1 || workingDays > MAX_WORKING_DAYS) {
      throw badUserInput(`workingDays must be 1..${MAX_WORKING_DAYS}, not ${workingDays}`, { field: 'workingDays' });
    }
    return calendar.dueAt(from, workingDays);
  }

  @Query(() => Boolean, {
    description: 'Whether public offices work on this day: not a weekend or a holiday, or a weekend day made working. CALENDAR_MISSING (naming the year) outside the calendar.',
  })
  isWorkingDay(@Arg('date', () => LocalDateScalar) date: string): boolean {
    return calendar.isWorkingDay(date);
  }
}
