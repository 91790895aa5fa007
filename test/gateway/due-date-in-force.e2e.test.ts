import { importLines } from '../../importer/import';
import type { Identity } from '../../subgraphs/kit/identity';
import { startPrivateSystem, TestSystem } from '../support/system';

const RB: Identity = { subject: 'rb-due', role: 'REPORT_BUILDER' };
const STAFF: Identity = { subject: 'staff-due', role: 'CENTRE_STAFF' };
const person = (n: number) => ({ fullName: `Lê Văn Hạn ${'ABCDEFGH'[n]}`, idNumber: `05608300000${n}` });
const at = (local: string) => `${local}+07:00`;

/**
 * June 2021 has no holiday. 1.002820 (Transport, 5 working days) and 2.001610 (Planning & Investment, in the centre's
 * one-stop system, 3 working days).
 */
const HISTORY = [
  // Due 8 June 09:00 and open at the end of June; a wait from 1 July to 16 August moved its due date past the period.
  { code: '000.00.16.H56-210601-0001', procedureCode: '1.002820', channel: 'ONLINE', receivedAt: at('2021-06-01T09:00:00'), applicant: person(1),
    events: [{ type: 'SUPPLEMENT_REQUESTED', at: at('2021-07-01T09:00:00') },
      { type: 'SUPPLEMENT_RECEIVED', at: at('2021-08-16T09:00:00') }, { type: 'DECIDED', at: at('2021-08-17T10:00:00'), outcome: 'APPROVED' }] },
  // The same in the one-stop system: due 4 June 09:00.
  { procedureCode: '2.001610', channel: 'DIRECT', receivedAt: at('2021-06-01T09:00:00'), applicant: person(2),
    events: [{ type: 'SUPPLEMENT_REQUESTED', at: at('2021-07-01T09:00:00') }, { type: 'SUPPLEMENT_RECEIVED', at: at('2021-08-16T09:00:00') },
      { type: 'DECIDED', at: at('2021-08-17T10:00:00'), outcome: 'APPROVED' }] },
  // Open at the end of June and due on 2 July: within its deadline.
  { code: '000.00.16.H56-210625-0001', procedureCode: '1.002820', channel: 'ONLINE', receivedAt: at('2021-06-25T09:00:00'), applicant: person(3), events: [] },
  // Past its due date (8 June) but waiting for supplements at the end of June: within deadline, as domain.md counts.
  { code: '000.00.16.H56-210601-0002', procedureCode: '1.002820', channel: 'ONLINE', receivedAt: at('2021-06-01T09:00:00'), applicant: person(4),
    events: [{ type: 'SUPPLEMENT_REQUESTED', at: at('2021-06-21T09:00:00') }, { type: 'SUPPLEMENT_RECEIVED', at: at('2021-07-05T09:00:00') }] },
  // Due 8 June 10:00; waited from 3 June 09:00 to 7 June 09:00 (16 working hours), so due 10 June 10:00; decided 10 June.
  { code: '000.00.16.H56-210601-0003', procedureCode: '1.002820', channel: 'POSTAL', receivedAt: at('2021-06-01T10:00:00'), applicant: person(5),
    events: [{ type: 'SUPPLEMENT_REQUESTED', at: at('2021-06-03T09:00:00') }, { type: 'SUPPLEMENT_RECEIVED', at: at('2021-06-07T09:00:00') },
      { type: 'DECIDED', at: at('2021-06-10T09:30:00'), outcome: 'APPROVED' }] },
];

const REPORT = `query($dept: String) { report(from: "2021-06-01", to: "2021-06-30", departmentCode: $dept) {
  inProcess { total overdue } byDepartment { department { code } inProcess { total overdue } } } }`;
const DEADLINE = `query($code: String!, $at: DateTime) { dossier(code: $code) {
  now: deadline { dueAt paused finished }
  then: deadline(at: $at) { dueAt asOf paused finished workingHoursLeft overdueByWorkingHours pausedWorkingHours } } }`;

const iso = (v: string | null) => (v === null ? null : new Date(v).toISOString());

describe('due dates in force at a past instant', () => {
  let system: TestSystem;
  let close: () => Promise<void>;
  let oneStop: string;
  beforeAll(async () => {
    ({ system, close } = await startPrivateSystem('due_in_force', { catalogueOnly: true }));
    const dbs = Object.fromEntries(Object.entries(system.subgraphs).map(([n, s]) => [n, s.server.db]));
    const result = await importLines(HISTORY.map((h) => JSON.stringify(h)), dbs);
    expect(result.bad).toEqual([]);
    [{ code: oneStop }] = await system.subgraphs.intake.server.db.query(`SELECT code FROM dossier WHERE procedure_code = '2.001610'`);
  });
  afterAll(() => close?.());

  const deadline = async (code: string, instant: string) => {
    const res = await system.query(DEADLINE, { code, at: instant }, STAFF);
    expect(res.errors).toBeUndefined();
    return res.data.dossier;
  };

  it('when the due dates were moved after June by waits that began in July, then both systems\' dossiers due before the end of June count as overdue at its end', async () => {
    // Today's due dates are past the end of June: counted against them, neither would be overdue.
    for (const code of ['000.00.16.H56-210601-0001', oneStop]) {
      const { now } = await deadline(code, at('2021-06-30T12:00:00'));
      expect([code, new Date(now.dueAt) > new Date(at('2021-06-30T23:59:59'))]).toEqual([code, true]);
    }
    const centre = await system.query(REPORT, {}, RB);
    expect(centre.errors).toBeUndefined();
    expect(centre.data.report.inProcess).toEqual({ total: 4, overdue: 2 });
    const by = Object.fromEntries(centre.data.report.byDepartment.map((d: any) => [d.department.code, d.inProcess]));
    expect(by.SGTVT).toEqual({ total: 3, overdue: 1 });
    expect(by.SKHDT).toEqual({ total: 1, overdue: 1 });
    const transport = await system.query(REPORT, { dept: 'SGTVT' }, RB);
    expect(transport.data.report.inProcess).toEqual({ total: 3, overdue: 1 });
  });

  it('when a past instant falls inside a wait that has since finished, then the deadline then is paused at the wait\'s start, against the due date in force then', async () => {
    const d = await deadline('000.00.16.H56-210601-0003', at('2021-06-04T10:00:00'));
    expect({ ...d.now, dueAt: iso(d.now.dueAt) }).toEqual({ dueAt: iso(at('2021-06-10T10:00:00')), paused: false, finished: true });
    expect({ ...d.then, dueAt: iso(d.then.dueAt), asOf: iso(d.then.asOf) }).toEqual({
      dueAt: iso(at('2021-06-08T10:00:00')),
      asOf: iso(at('2021-06-03T09:00:00')),
      paused: true,
      finished: false,
      // 3 June 09:00–17:00 (6), 4 and 7 June (16), 8 June 07:00–10:00 (3).
      workingHoursLeft: 25,
      overdueByWorkingHours: null,
      // 3 June 09:00–17:00 (6) and 4 June 07:00–10:00 (3), the wait so far then.
      pausedWorkingHours: 9,
    });
  });

  it('when a past instant falls after that wait, then the due date it moved is in force and the clock runs', async () => {
    const d = await deadline('000.00.16.H56-210601-0003', at('2021-06-09T09:00:00'));
    expect({ ...d.then, dueAt: iso(d.then.dueAt), asOf: iso(d.then.asOf) }).toEqual({
      dueAt: iso(at('2021-06-10T10:00:00')),
      asOf: iso(at('2021-06-09T09:00:00')),
      paused: false,
      finished: false,
      workingHoursLeft: 9,
      overdueByWorkingHours: null,
      pausedWorkingHours: 16,
    });
  });

  it('when a past instant falls inside a wait that began overdue and has since finished, then the deadline then is overdue by the hours up to the wait, not within today\'s due date', async () => {
    const d = await deadline('000.00.16.H56-210601-0001', at('2021-07-05T09:00:00'));
    expect(d.now.finished).toBe(true);
    expect({ ...d.then, dueAt: iso(d.then.dueAt), asOf: iso(d.then.asOf) }).toEqual({
      dueAt: iso(at('2021-06-08T09:00:00')),
      asOf: iso(at('2021-07-01T09:00:00')),
      paused: true,
      finished: false,
      workingHoursLeft: null,
      // 8 June 09:00–17:00 (6), sixteen working days 9–30 June (128), 1 July 07:00–09:00 (2).
      overdueByWorkingHours: 136,
      // 1 July 09:00–17:00 (6), 2 July (8), 5 July 07:00–09:00 (2).
      pausedWorkingHours: 16,
    });
  });
});
