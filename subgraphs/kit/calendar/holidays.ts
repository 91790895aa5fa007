/**
 * Days off and swapped working days decided by the government each year (Tết and Hùng Kings' day follow
 * the lunar calendar, and days off are moved around weekends), so the calendar is data, not a formula.
 * Years marked provisional were filled from the lunar calendar and the usual pattern; replace them with
 * the decision's text when it is published.
 */
export interface HolidayYear {
  year: number;
  /** Weekdays on which public offices are closed. */
  daysOff: string[];
  /** Saturdays worked to make up for a bridged day. */
  workingWeekends: string[];
  provisional?: boolean;
}

export const HOLIDAY_CALENDAR: HolidayYear[] = [
  {
    year: 2019,
    daysOff: [
      '2019-01-01',
      '2019-02-04', '2019-02-05', '2019-02-06', '2019-02-07', '2019-02-08',
      '2019-04-15',
      '2019-04-29', '2019-04-30', '2019-05-01',
      '2019-09-02',
    ],
    workingWeekends: ['2019-05-04'],
  },
  {
    year: 2020,
    daysOff: [
      '2020-01-01',
      '2020-01-23', '2020-01-24', '2020-01-27', '2020-01-28', '2020-01-29',
      '2020-04-02',
      '2020-04-30', '2020-05-01',
      '2020-09-02',
    ],
    workingWeekends: [],
  },
  {
    year: 2021,
    daysOff: [
      '2021-01-01',
      '2021-02-10', '2021-02-11', '2021-02-12', '2021-02-15', '2021-02-16',
      '2021-04-21',
      '2021-04-30', '2021-05-03',
      '2021-09-02', '2021-09-03',
    ],
    workingWeekends: [],
  },
  {
    year: 2022,
    daysOff: [
      '2022-01-03',
      '2022-01-31', '2022-02-01', '2022-02-02', '2022-02-03', '2022-02-04',
      '2022-04-11',
      '2022-05-02', '2022-05-03',
      '2022-09-01', '2022-09-02',
    ],
    workingWeekends: [],
  },
  {
    year: 2023,
    daysOff: [
      '2023-01-02',
      '2023-01-20', '2023-01-23', '2023-01-24', '2023-01-25', '2023-01-26',
      '2023-05-01', '2023-05-02', '2023-05-03',
      '2023-09-01', '2023-09-04',
    ],
    workingWeekends: ['2023-05-06'],
  },
  {
    year: 2024,
    daysOff: [
      '2024-01-01',
      '2024-02-08', '2024-02-09', '2024-02-12', '2024-02-13', '2024-02-14',
      '2024-04-18',
      '2024-04-29', '2024-04-30', '2024-05-01',
      '2024-09-02', '2024-09-03',
    ],
    workingWeekends: ['2024-05-04'],
  },
  {
    year: 2025,
    daysOff: [
      '2025-01-01',
      '2025-01-27', '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31',
      '2025-04-07',
      '2025-04-30', '2025-05-01', '2025-05-02',
      '2025-09-01', '2025-09-02',
    ],
    workingWeekends: ['2025-04-26'],
  },
  {
    year: 2026,
    provisional: true,
    daysOff: [
      '2026-01-01',
      '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20',
      '2026-04-27',
      '2026-04-30', '2026-05-01',
      '2026-09-01', '2026-09-02',
    ],
    workingWeekends: [],
  },
  {
    year: 2027,
    provisional: true,
    daysOff: [
      '2027-01-01',
      '2027-02-04', '2027-02-05', '2027-02-08', '2027-02-09', '2027-02-10',
      '2027-04-16',
      '2027-04-30', '2027-05-03',
      '2027-09-02', '2027-09-03',
    ],
    workingWeekends: [],
  },
];
