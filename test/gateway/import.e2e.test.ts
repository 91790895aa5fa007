import { importLines } from '../../importer/import';
import type { Identity } from '../../subgraphs/kit/identity';
import { startPrivateSystem, TestSystem } from '../support/system';

const person = (n: number) => ({ fullName: `Phạm Văn Nhập ${'ABCDEFGH'[n]}`, idNumber: `05608100000${n}`, phone: '0905000000' });
const GOOD = [
  { code: '000.00.16.H56-210601-0001', procedureCode: '1.002820', channel: 'ONLINE', receivedAt: '2021-06-01T09:00:00+07:00', applicant: person(1),
    events: [{ type: 'DECIDED', at: '2021-06-03T10:00:00+07:00', outcome: 'APPROVED' }, { type: 'RESULT_RETURNED', at: '2021-06-04T09:00:00+07:00', channel: 'POSTAL' }] },
  { procedureCode: '1.003930', channel: 'DIRECT', receivedAt: '2021-06-01T10:00:00+07:00', applicant: person(2),
    events: [{ type: 'DECIDED', at: '2021-06-04T15:00:00+07:00', outcome: 'APPROVED' }] },
  { procedureCode: '2.000488', channel: 'POSTAL', receivedAt: '2021-06-02T08:00:00+07:00', applicant: person(3),
    events: [{ type: 'SUPPLEMENT_REQUESTED', at: '2021-06-03T09:00:00+07:00' }, { type: 'SUPPLEMENT_RECEIVED', at: '2021-06-07T09:00:00+07:00' },
      { type: 'DECIDED', at: '2021-06-30T10:00:00+07:00', outcome: 'REJECTED' }] },
  { procedureCode: '2.000176', channel: 'ONLINE', receivedAt: '2021-06-28T14:00:00+07:00', applicant: person(4), events: [] },
  { procedureCode: '2.001610', channel: 'ONLINE', receivedAt: '2021-06-10T08:00:00+07:00', applicant: person(5), events: [{ type: 'WITHDRAWN', at: '2021-06-11T08:00:00+07:00' }] },
  { procedureCode: '1.002856', channel: 'DIRECT', receivedAt: '2021-05-31T09:00:00+07:00', applicant: person(6),
    events: [{ type: 'DECIDED', at: '2021-06-02T11:00:00+07:00', outcome: 'APPROVED' }], rating: { level: 'VERY_SATISFIED', at: '2021-06-02T15:00:00+07:00' } },
];
const BAD = [
  '{ not json',
  JSON.stringify({ ...GOOD[1], applicant: { fullName: 'Lê A', idNumber: '05608100000' } }),
  JSON.stringify({ ...GOOD[1], procedureCode: '9.999999' }),
  JSON.stringify({ ...GOOD[5], rating: { level: 'DISSATISFIED', at: '2021-06-02T15:00:00+07:00' } }),
  JSON.stringify({ ...GOOD[1], events: [{ type: 'RESULT_RETURNED', at: '2021-06-02T09:00:00+07:00', channel: 'DIRECT' }] }),
];
const FILE = [JSON.stringify(GOOD[0]), BAD[0], JSON.stringify(GOOD[1]), BAD[1], JSON.stringify(GOOD[2]), BAD[2], JSON.stringify(GOOD[3]), BAD[3], JSON.stringify(GOOD[4]), BAD[4], JSON.stringify(GOOD[5]), ''];

describe('importing history from the previous one-stop system', () => {
  let system: TestSystem;
  let close: () => Promise<void>;
  let dbs: Record<string, any>;
  let first: Awaited<ReturnType<typeof importLines>>;
  beforeAll(async () => {
    ({ system, close } = await startPrivateSystem('import', { catalogueOnly: true }));
    dbs = Object.fromEntries(Object.entries(system.subgraphs).map(([n, s]) => [n, s.server.db]));
    first = await importLines(FILE, dbs);
  });
  afterAll(() => close?.());

  it('when the file has good and bad lines, then each bad line is reported with its number and reason, and the good ones load', () => {
    expect(first.loaded).toBe(6);
    expect(first.bad.map((b) => b.line)).toEqual([2, 4, 6, 8, 10]);
    expect(first.bad[0].reason).toBe('not JSON');
    expect(first.bad[1].reason).toMatch(/applicant\.idNumber/);
    expect(first.bad[2].reason).toMatch(/procedureCode/);
    expect(first.bad[3].reason).toMatch(/DISSATISFIED rating needs a reason/);
    expect(first.bad[4].reason).toMatch(/returned after the decision/);
    expect(first.stored).toMatchObject({ intake: 6, transport: 2, police: 1, 'industry-trade': 1, postal: 1 });
  });

  it('when June 2021 is reported, then the figures are the ones computed by hand from the file', async () => {
    const res = await system.query(`{ report(from: "2021-06-01", to: "2021-06-30") { carriedOver received { total online direct postal }
      resolved { total early onTime late } withdrawn inProcess { total overdue } returnedByPost ratings { total verySatisfied } balanced } }`,
      {}, { subject: 'rb', role: 'REPORT_BUILDER' } as Identity);
    expect(res.errors).toBeUndefined();
    expect(res.data.report).toEqual({
      carriedOver: 1,
      received: { total: 5, online: 3, direct: 1, postal: 1 },
      resolved: { total: 4, early: 1, onTime: 2, late: 1 },
      withdrawn: 1,
      inProcess: { total: 1, overdue: 0 },
      returnedByPost: 1,
      ratings: { total: 1, verySatisfied: 1 },
      balanced: true,
    });
  });

  it('when a supplement wait is imported without a due date, then the due date moves by the working time waited', async () => {
    const [{ due }] = await dbs.intake.query(
      `SELECT to_char(due_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD HH24:MI') AS due FROM dossier WHERE applicant_id_number = '056081000003'`);
    expect(due).toBe('2021-06-18 08:00');
  });

  it('when the same file is imported again, then nothing changes anywhere', async () => {
    const count = async () => {
      const out: Record<string, number> = {};
      for (const [name, db] of Object.entries(dbs)) {
        const tables = name === 'postal' ? ['shipment', 'shipment_event'] : name === 'intake' ? ['dossier', 'dossier_event', 'rating', 'processing', 'status_change', 'imported_line'] : ['processing', 'status_change'];
        for (const t of tables) out[`${name}.${t}`] = (await db.query(`SELECT count(*)::int AS n FROM ${t}`))[0].n;
      }
      return out;
    };
    const before = await count();
    const again = await importLines(FILE, dbs);
    expect(again.loaded).toBe(6);
    expect(Object.values(again.stored).every((n) => n === 0)).toBe(true);
    expect(await count()).toEqual(before);
  });
});
