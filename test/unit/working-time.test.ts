import { calendar, localDate, localTime, WorkingCalendar } from '../../subgraphs/kit/calendar/working-time';

const iso = (d: Date) => d.toISOString();

describe('working-hour calendar', () => {
  it('when a dossier is received Wed 1 Apr 2020 10:00 for 5 working days, then it is due Thu 9 Apr 10:00 (2 Apr is a holiday)', () => {
    expect(iso(calendar.dueAt(localTime('2020-04-01', 10), 5))).toBe(iso(localTime('2020-04-09', 10)));
  });

  it('when received Wed 29 Apr 2020 15:00 for 5 working days, then it is due Fri 8 May 15:00 (30 Apr and 1 May are holidays)', () => {
    expect(iso(calendar.dueAt(localTime('2020-04-29', 15), 5))).toBe(iso(localTime('2020-05-08', 15)));
  });

  it('when received after 17:00, then counting starts at 07:00 on the next working day', () => {
    expect(iso(calendar.dueAt(localTime('2020-04-03', 18, 30), 1))).toBe(iso(localTime('2020-04-06', 17)));
  });

  it('when received during the lunch break, then counting starts at 13:30', () => {
    expect(iso(calendar.addWorkingHours(localTime('2020-04-06', 12), 1))).toBe(iso(localTime('2020-04-06', 14, 30)));
  });

  it('when the hours end exactly at 11:30, then the deadline is 11:30, not the afternoon', () => {
    expect(iso(calendar.addWorkingHours(localTime('2020-04-06', 7), 4.5))).toBe(iso(localTime('2020-04-06', 11, 30)));
  });

  it('when Tết falls in the span, then its days are skipped', () => {
    expect(iso(calendar.dueAt(localTime('2020-01-22', 8), 1))).toBe(iso(localTime('2020-01-30', 8)));
  });

  it('when a Saturday is a swapped working day, then it counts', () => {
    expect(calendar.isWorkingDay('2019-05-04')).toBe(true);
    expect(calendar.isWorkingDay('2019-05-11')).toBe(false);
  });

  it('when asked for April 2020, then it has 20 working days', () => {
    const days = Array.from({ length: 30 }, (_, i) => `2020-04-${String(i + 1).padStart(2, '0')}`);
    expect(days.filter((d) => calendar.isWorkingDay(d))).toHaveLength(20);
  });

  it('when counting working hours between receipt and deadline, then it gives the statutory hours back', () => {
    const received = localTime('2020-04-01', 10);
    expect(calendar.workingHoursBetween(received, calendar.dueAt(received, 5))).toBe(40);
  });

  it('when a year has no holiday data, then it refuses with CALENDAR_MISSING naming the year rather than guess', async () => {
    const calendar2020 = new WorkingCalendar([{ year: 2020, daysOff: [], workingWeekends: [] }]);
    await expect(Promise.resolve().then(() => calendar2020.isWorkingDay('2031-01-02')))
      .rejects.toMatchObject({ message: 'no working-day calendar for 2031', extensions: { code: 'CALENDAR_MISSING', year: 2031 } });
  });

  it('when an instant is late evening UTC, then its local date is the next day', () => {
    expect(localDate(new Date('2020-04-01T18:00:00Z'))).toBe('2020-04-02');
  });
});
