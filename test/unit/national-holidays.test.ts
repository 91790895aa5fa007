import { DECIDED_YEARS, HORIZON_YEAR, ruleYear } from '../../subgraphs/kit/calendar/holidays';
import { calendar, localTime, WorkingCalendar } from '../../subgraphs/kit/calendar/working-time';

const refusal = (run: () => unknown) => Promise.resolve().then(run);

/**
 * Where the decisions of 2019–2027 (national-holidays.json) and the rule differ. 2019–2020: the Labour Code of
 * 2012 gave National Day one day, the rule (2019 code) two: the rule's adjacent day is not off then. 2019, 2024,
 * 2025: a bridge day off swapped against a Saturday worked, decided each year; 2023: a Saturday worked (swapped
 * inside the 30 April–1 May break). The rule computes no swap: a province adds those as calendar days.
 */
const DIFFERENCES: Record<number, { decidedOnly: string[]; ruleOnly: string[] }> = {
  2019: { decidedOnly: ['2019-04-29'], ruleOnly: [] },
  2024: { decidedOnly: ['2024-04-29'], ruleOnly: [] },
  2025: { decidedOnly: ['2025-05-02'], ruleOnly: [] },
};

describe('national days off: decided years as data, the rule for the rest', () => {
  it.each(DECIDED_YEARS.map((y) => [y.year, y] as const))('when %i is computed by the rule, then it differs from the decision only by its documented swaps', (year, decided) => {
    const rule = ruleYear(year);
    expect({
      decidedOnly: decided.daysOff.filter((d) => !rule.daysOff.includes(d)),
      ruleOnly: rule.daysOff.filter((d) => !decided.daysOff.includes(d)),
    }).toEqual(DIFFERENCES[year] ?? { decidedOnly: [], ruleOnly: [] });
  });

  it('when 2028 is computed, then Tết is Monday 24 to Friday 28 January and the weekend holidays are made up on Mondays', () => {
    expect(ruleYear(2028).daysOff).toEqual([
      '2028-01-03', // 1 January is a Saturday
      '2028-01-24', '2028-01-25', '2028-01-26', '2028-01-27', '2028-01-28', // Tết: the new year is Wednesday the 26th
      '2028-04-04', // Hùng Kings, 10/3 lunar
      '2028-05-01', '2028-05-02', // 30 April is a Sunday: made up on the 1st, so 1 May moves to the 2nd
      '2028-09-01', '2028-09-04', // 2 September is a Saturday: the 1st is the adjacent day, the 2nd is made up on Monday
    ]);
  });

  it('when every year to the horizon is computed, then each has eleven weekdays off, five of them around Tết', () => {
    for (let year = 2028; year <= HORIZON_YEAR; year++) {
      const days = ruleYear(year).daysOff;
      expect({ year, count: days.length, weekend: days.filter((d) => [0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay())) })
        .toEqual({ year, count: 11, weekend: [] });
    }
  });

  it('when a date is beyond the horizon or before 2019, then CALENDAR_MISSING names its year', async () => {
    await expect(refusal(() => calendar.isWorkingDay(`${HORIZON_YEAR + 1}-03-02`)))
      .rejects.toMatchObject({ message: `no working-day calendar for ${HORIZON_YEAR + 1}`, extensions: { code: 'CALENDAR_MISSING', year: HORIZON_YEAR + 1 } });
    await expect(refusal(() => calendar.isWorkingDay('2018-12-31'))).rejects.toMatchObject({ extensions: { code: 'CALENDAR_MISSING', year: 2018 } });
  });

  it('when a 20-day procedure is received on 27 December 2027, then its due date falls in 2028, past the made-up New Year and Tết', () => {
    // 28–31 December (4), 4–21 January (14: Monday the 3rd makes up New Year), Tết 24–28, then 31 January and 1 February.
    const due = new WorkingCalendar().dueAt(localTime('2027-12-27', 9), 20);
    expect(due.toISOString()).toBe(localTime('2028-02-01', 9).toISOString());
  });

  it('when the province adds a holiday and a working Saturday, then they override the national calendar', () => {
    const c = new WorkingCalendar(undefined, { holidays: ['2028-03-15'], workingDays: ['2028-01-22'] });
    expect([c.isWorkingDay('2028-03-15'), c.isWorkingDay('2028-01-22'), c.isWorkingDay('2028-01-24'), c.isWorkingDay('2028-03-16')])
      .toEqual([false, true, false, true]);
  });
});
