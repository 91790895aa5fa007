import type { DataSource } from 'typeorm';
import { importLines } from '../../importer/import';
import type { Identity } from '../../subgraphs/kit/identity';
import { dropDatabases, testDatabaseUrls, uniquePrefix } from '../support/databases';
import { FIGURES_SELECTION, Figures, recount, total } from '../support/recount';
import { catalogueImport } from '../support/scripts';
import { settle, startSystem, TestSystem } from '../support/system';
import { DEV_AUDIT_KEY } from '../../subgraphs/kit/config';

const RB: Identity = { subject: 'rb-acceptance', role: 'REPORT_BUILDER' };
const STAFF: Identity = { subject: 'staff-acceptance', role: 'CENTRE_STAFF' };
const REPORT = `query($from: Date!, $to: Date!, $dept: String) { report(from: $from, to: $to, departmentCode: $dept) {
  ${FIGURES_SELECTION} byDepartment { department { code } received { total online direct postal } } } }`;

/** A small deterministic generator (mulberry32), so a failure names a history that can be replayed. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] };
}

/** Local (UTC+7) wall-clock time, as an RFC 3339 instant. */
const local = (day: string, hour: number, minute = 0) => `${day}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00+07:00`;
const plusDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/**
 * A history as a previous one-stop system exports it: receipts over three months, decided early, on time or late,
 * withdrawn, waiting for supplements, returned at the counter or by post, rated; some still open at the end.
 */
export function generateHistory(seed: number, procedures: readonly string[], first: string, days: number, n: number): string[] {
  const r = random(seed);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const day = plusDays(first, r.int(0, days - 1));
    const events: object[] = [];
    const fate = r.pick(['open', 'early', 'early', 'onTime', 'late', 'withdrawn', 'supplement', 'supplementOpen'] as const);
    const decide = (offset: number, hour = 10) => {
      const at = plusDays(day, offset);
      events.push({ type: 'DECIDED', at: local(at, hour), outcome: r.pick(['APPROVED', 'APPROVED', 'REJECTED']) });
      const back = r.pick([null, 'DIRECT', 'POSTAL'] as const);
      if (back) events.push({ type: 'RESULT_RETURNED', at: local(plusDays(at, 1), 9), channel: back });
    };
    if (fate === 'early') decide(r.int(0, 2));
    if (fate === 'onTime') decide(r.int(3, 12), 16);
    if (fate === 'late') decide(r.int(45, 60));
    if (fate === 'withdrawn') events.push({ type: 'WITHDRAWN', at: local(plusDays(day, r.int(0, 5)), 15) });
    if (fate === 'supplement' || fate === 'supplementOpen') {
      events.push({ type: 'SUPPLEMENT_REQUESTED', at: local(plusDays(day, 1), 9) });
      if (fate === 'supplement') {
        events.push({ type: 'SUPPLEMENT_RECEIVED', at: local(plusDays(day, r.int(2, 6)), 14) });
        decide(r.int(8, 20));
      }
    }
    const rating = r.next() < 0.3 && events.length
      ? { level: r.pick(['VERY_SATISFIED', 'SATISFIED', 'DISSATISFIED'] as const), at: local(plusDays(day, 70), 10) }
      : undefined;
    lines.push(JSON.stringify({
      procedureCode: r.pick(procedures),
      channel: r.pick(['ONLINE', 'DIRECT', 'DIRECT', 'POSTAL'] as const),
      receivedAt: local(day, r.int(7, 9), r.int(0, 59)),
      applicant: { fullName: 'Đỗ Văn Kiểm Toán', idNumber: `05619${String(1000000 + i).slice(-7)}` },
      events,
      ...(rating ? { rating: rating.level === 'DISSATISFIED' ? { ...rating, reason: 'chờ lâu' } : rating } : {}),
    }));
  }
  return lines;
}

const pick = (f: Figures & Record<string, unknown>): Figures => ({
  carriedOver: f.carriedOver, received: f.received, resolved: f.resolved, withdrawn: f.withdrawn, inProcess: f.inProcess,
  returnedByPost: f.returnedByPost, ratings: f.ratings,
});

/**
 * A province none of whose catalogue is in the code: three departments with systems of their own, three in the
 * one-stop system, and its own days off (two provincial holidays in June 2021, one in 2028) and a working Saturday.
 */
const PROVINCE = {
  departments: [
    { code: 'SGTVT', name: 'Sở Giao thông vận tải tỉnh Kiểm', unitCode: '000.00.16.K77', system: 'transport' },
    { code: 'CAT', name: 'Công an tỉnh Kiểm', unitCode: '000.00.40.K77', system: 'police' },
    { code: 'SCT', name: 'Sở Công Thương tỉnh Kiểm', unitCode: '000.00.12.K77', system: 'industry-trade' },
    { code: 'SDL', name: 'Sở Du lịch tỉnh Kiểm', unitCode: '000.00.31.K77', system: null },
    { code: 'STP', name: 'Sở Tư pháp tỉnh Kiểm', unitCode: '000.00.18.K77', system: null },
    { code: 'SYT', name: 'Sở Y tế tỉnh Kiểm', unitCode: '000.00.21.K77', system: null },
  ],
  procedures: [
    { code: '1.900001', name: 'Đổi giấy phép lái xe', departmentCode: 'SGTVT', workingDays: 5, fee: 135000 },
    { code: '1.900002', name: 'Cấp phù hiệu xe', departmentCode: 'SGTVT', workingDays: 2, fee: 0 },
    { code: '1.900003', name: 'Đăng ký mẫu con dấu', departmentCode: 'CAT', workingDays: 3, fee: 50000 },
    { code: '1.900004', name: 'Cấp giấy phép bán lẻ rượu', departmentCode: 'SCT', workingDays: 10, fee: 1200000 },
    { code: '1.900005', name: 'Cấp thẻ hướng dẫn viên du lịch', departmentCode: 'SDL', workingDays: 10, fee: 650000 },
    { code: '1.900006', name: 'Cấp phiếu lý lịch tư pháp', departmentCode: 'STP', workingDays: 2, fee: 200000 },
    { code: '1.900007', name: 'Cấp chứng chỉ hành nghề dược', departmentCode: 'SYT', workingDays: 20, fee: 500000 },
  ],
  calendar: { holidays: ['2021-06-14', '2021-06-15', '2028-03-06'], workingDays: ['2021-06-19'] },
};

describe('a province\'s own system of record, started without the demo', () => {
  const prefix = uniquePrefix('record');
  let system: TestSystem;
  let dbs: Record<string, DataSource>;

  beforeAll(async () => {
    system = await startSystem(testDatabaseUrls(prefix));
    dbs = Object.fromEntries(Object.entries(system.subgraphs).map(([n, s]) => [n, s.server.db]));
  }, 120_000);
  afterAll(async () => {
    await system?.close();
    await dropDatabases(prefix);
  });

  it('when the province\'s catalogue file is imported by the command, then the empty system takes it', async () => {
    const { code, out } = await catalogueImport(system, PROVINCE);
    expect({ code, out }).toEqual({ code: 0, out: expect.stringContaining('7 added') });
    expect((await dbs.intake.query(`SELECT count(*)::int AS n FROM procedure`))[0].n).toBe(7);
  });

  it('when history lines without a due date cross the imported holidays and working Saturday, then their due dates skip and count them', async () => {
    const line = (procedureCode: string, receivedAt: string) => JSON.stringify({
      procedureCode, channel: 'DIRECT', receivedAt, applicant: { fullName: 'Vũ Thị Hạn', idNumber: '056190009001' }, events: [] });
    // 2 working days from Friday 11 June 09:00: 6 h that day, Monday and Tuesday off, 10 h from Wednesday: Thursday 09:00.
    // 2 working days from Friday 18 June 09:00: 6 h, Saturday 19 worked (8 h), 2 h on Monday: 21 June 09:00.
    const result = await importLines([line('1.900006', '2021-06-11T09:00:00+07:00'), line('1.900002', '2021-06-18T09:00:00+07:00')], dbs);
    expect(result.bad).toEqual([]);
    const due = await dbs.intake.query(`SELECT procedure_code AS p, due_at FROM dossier WHERE applicant_full_name = 'Vũ Thị Hạn' ORDER BY received_at`);
    expect(due.map((d: { due_at: Date }) => d.due_at.toISOString())).toEqual([
      new Date('2021-06-17T09:00:00+07:00').toISOString(), new Date('2021-06-21T09:00:00+07:00').toISOString()]);
    const [transport] = await dbs.transport.query(`SELECT due_at FROM processing WHERE department_code = 'SGTVT' AND received_at = '2021-06-18T09:00:00+07:00'`);
    expect(transport.due_at.toISOString()).toBe(new Date('2021-06-21T09:00:00+07:00').toISOString());
  });

  it('when a front-end asks for a due date in 2028 across the imported holiday, then it skips that Monday', async () => {
    const answer = await system.query(`{ friday: dueDate(from: "2028-03-03T09:00:00+07:00", workingDays: 1) isWorkingDay(date: "2028-03-06") }`, {}, null);
    expect(answer).toEqual({ data: { friday: '2028-03-07T09:00:00+07:00', isWorkingDay: false } });
  });

  it('when a generated history is imported, then every figure of the report, centre-wide and per department, equals a recount by SQL on each system\'s own database', async () => {
    const procedures = PROVINCE.procedures.map((p) => p.code);
    const lines = generateHistory(20210501, procedures, '2021-05-01', 80, 600);
    const result = await importLines(lines, dbs);
    expect(result.bad).toEqual([]);
    // Every department has dossiers of its own: none of its figures is a sum of nothing.
    expect((await dbs.intake.query(`SELECT count(DISTINCT department_code)::int AS n FROM dossier`))[0].n).toBe(6);

    for (const [from, to] of [['2021-06-01', '2021-06-30'], ['2021-05-01', '2021-07-31'], ['2021-07-10', '2021-07-20']]) {
      const expected = await recount(dbs, from, to);
      const answer = await system.query(REPORT, { from, to }, RB);
      expect(answer.errors).toBeUndefined();
      expect(pick(answer.data.report)).toEqual(total(expected.values()));
      expect(total(expected.values()).resolved.total).toBeGreaterThan(0);
      for (const [code, figures] of expected) {
        if (!figures.received.total && !figures.carriedOver && !figures.inProcess.total && !figures.resolved.total) continue;
        const one = await system.query(REPORT, { from, to, dept: code }, RB);
        expect(one.errors).toBeUndefined();
        expect({ code, ...pick(one.data.report) }).toEqual({ code, ...figures });
      }
    }
  }, 300_000);

  it('when June is closed and a history is then imported into it with a correction, then the published figures stand, the revisions show, and a recount gives the revised figures', async () => {
    const JUNE = { from: '2021-06-01', to: '2021-06-30' };
    const published = await recount(dbs, JUNE.from, JUNE.to);
    const closed = await system.query(`mutation { closeReportPeriod(month: "2021-06") { month } }`, {}, STAFF);
    expect(closed).toEqual({ data: { closeReportPeriod: { month: '2021-06' } } });
    await settle(system);

    const procedures = PROVINCE.procedures.map((p) => p.code);
    const late = generateHistory(20210615, procedures, '2021-06-10', 10, 40);
    const refused = await importLines(late, dbs);
    expect({ loaded: refused.loaded, refused: refused.bad.length }).toEqual({ loaded: 0, refused: 40 });
    const reason = 'Sổ tiếp nhận giấy tháng 6 nhập bổ sung';
    const corrected = await importLines(late, dbs, { reason, by: 'operator:acceptance', auditKey: DEV_AUDIT_KEY });
    expect({ loaded: corrected.loaded, bad: corrected.bad }).toEqual({ loaded: 40, bad: [] });

    const revised = await recount(dbs, JUNE.from, JUNE.to);
    expect(total(revised.values()).received.total).toBe(total(published.values()).received.total + 40);
    const answer = await system.query(`query($from: Date!, $to: Date!) { report(from: $from, to: $to) {
      ${FIGURES_SELECTION} published revisions { system departmentCode reason changes { figure published revised } } } }`, JUNE, RB);
    expect(answer.errors).toBeUndefined();
    const { published: isPublished, revisions, ...figures } = answer.data.report;
    expect({ isPublished, figures: pick(figures) }).toEqual({ isPublished: true, figures: total(published.values()) });
    expect(new Set(revisions.map((r: { reason: string }) => r.reason))).toEqual(new Set([reason]));
    // Each register revision's received figures: as published, and as a recount by SQL gives them now.
    const register = revisions.filter((r: { system: string }) => r.system === 'intake');
    expect(register.length).toBeGreaterThan(0);
    for (const r of register as { departmentCode: string; changes: { figure: string; published: number; revised: number }[] }[]) {
      const change = r.changes.find((c) => c.figure === 'received.total');
      expect({ code: r.departmentCode, change }).toEqual({ code: r.departmentCode, change: {
        figure: 'received.total', published: published.get(r.departmentCode)?.received.total ?? 0, revised: revised.get(r.departmentCode)!.received.total } });
    }
    // The department systems' own revisions, each of a department they process.
    const departmentOf = new Map(PROVINCE.procedures.map((p) => [p.code, PROVINCE.departments.find((d) => d.code === p.departmentCode)!]));
    const systems = new Set(late.map((l) => departmentOf.get(JSON.parse(l).procedureCode)!).filter((d) => d.system).map((d) => `${d.system}:${d.code}`));
    expect(systems.size).toBeGreaterThan(1);
    expect(revisions.filter((r: { system: string }) => r.system !== 'intake').map((r: { system: string; departmentCode: string }) => `${r.system}:${r.departmentCode}`).sort())
      .toEqual([...systems].sort());
  }, 300_000);
});
