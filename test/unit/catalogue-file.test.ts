import { catalogueProblems, KnownCatalogue } from '../../subgraphs/intake/catalogue/catalogue.file';

const EMPTY: KnownCatalogue = { departments: new Map() };
const dept = (code: string, unitCode: string, system: string | null = null) => ({ code, name: `Sở ${code}`, unitCode, system });
const proc = (code: string, departmentCode: string, workingDays: unknown = 5, fee: unknown = 0) => ({ code, name: `Thủ tục ${code}`, departmentCode, workingDays, fee });

describe('the checks of a catalogue file', () => {
  it('when a file is well formed, then it has no problem', () => {
    expect(catalogueProblems({ departments: [dept('STP', '000.00.18.T99')], procedures: [proc('2.000488', 'STP')], calendar: { holidays: ['2028-04-20'], workingDays: ['2028-04-29'] } }, EMPTY)).toEqual([]);
  });

  it('when entries clash within the file or with the catalogue, then each clash names both sides', () => {
    const known: KnownCatalogue = { departments: new Map([['SXD', { unitCode: '000.00.15.T99', system: null, used: true }]]) };
    expect(catalogueProblems({
      departments: [dept('STP', '000.00.18.T99'), dept('STP', '000.00.19.T99'), dept('SYT', '000.00.18.T99'), dept('SNV', '000.00.15.T99'), dept('GTVT', '000.00.16.T99', 'transport')],
      procedures: [],
    }, known)).toEqual([
      'departments[1] (code STP): code "STP" is already departments[0]',
      'departments[2] (code SYT): unitCode "000.00.18.T99" is already the unit of departments[0]',
      'departments[3] (code SNV): unitCode "000.00.15.T99" is already the unit of department SXD in the catalogue',
      'departments[4] (code GTVT): system "transport" serves department SGTVT (subgraphs/registry.ts), not GTVT',
    ]);
  });

  it('when a department with dossiers would change its unit or system, then both are refused', () => {
    const known: KnownCatalogue = { departments: new Map([['SGTVT', { unitCode: '000.00.16.T99', system: 'transport', used: true }]]) };
    expect(catalogueProblems({ departments: [dept('SGTVT', '000.00.17.T99', null)], procedures: [] }, known)).toEqual([
      'departments[0] (code SGTVT): unitCode "000.00.17.T99" cannot replace 000.00.16.T99: dossiers are numbered under it',
      'departments[0] (code SGTVT): system null cannot replace "transport": dossiers were handed to it',
    ]);
  });

  it('when a one-stop department with dossiers would get a system of its own, then the catalogue refuses and names the move that does it', () => {
    const known: KnownCatalogue = { departments: new Map([['CAT', { unitCode: '000.00.17.T99', system: null, used: true }]]) };
    expect(catalogueProblems({ departments: [dept('CAT', '000.00.17.T99', 'police')], procedures: [] }, known)).toEqual([
      'departments[0] (code CAT): system "police" cannot replace null: its dossiers are in the one-stop system (npm run department:move takes them there with their history)',
    ]);
  });

  it('when fields are missing, unknown, fractional or out of range, then each is named with its value', () => {
    expect(catalogueProblems({
      departments: [{ code: 'stp', name: 'Sở Tư pháp', unitCode: '000.00.18.T99' }],
      procedures: [{ ...proc('2.000488', 'STP', 1.5, 'free'), note: 'x' }],
      calendar: { holidays: ['2021-02-29', '2200-01-02'], workingDays: ['2028-04-20'] },
    }, EMPTY)).toEqual([
      'departments[0] (code stp): system is missing',
      'departments[0] (code stp): code "stp" is not a department code of 2 to 16 capital letters, e.g. SGTVT',
      'procedures[0] (code 2.000488): note is not a field of the file',
      'procedures[0] (code 2.000488): workingDays 1.5 must be a whole number of working days',
      'procedures[0] (code 2.000488): fee "free" must be a whole number of đồng',
      'calendar.holidays[0]: "2021-02-29" is not a calendar date',
      'procedures[0] (code 2.000488): departmentCode "STP" is not a department of the file or the catalogue',
      'calendar.holidays[1]: "2200-01-02" is outside the calendar\'s years 2019–2100',
      'calendar.workingDays[0]: "2028-04-20" is a weekday, already a working day (list only Saturdays or Sundays made working days)',
    ]);
  });
});
