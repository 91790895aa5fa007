import { CalendarDay1797200000100 } from './1797200000100-calendar-day';

/** The calendar's table, in every system that counts working time (the register and the department systems). */
export const calendarMigrations: Function[] = [CalendarDay1797200000100];
