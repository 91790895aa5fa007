import type { Identity } from '../../subgraphs/kit/identity';
import { calendar, localDate } from '../../subgraphs/kit/calendar/working-time';
import { countStatements, startSystem, TestSystem } from '../support/system';

const FIGURES = 'received resolved { total early onTime late } averageHours p90Hours supplementsRequested';
const BREAKDOWN = `query($from: Date!, $to: Date!, $dept: String) { report(from: $from, to: $to, departmentCode: $dept) {
  byDepartment { __typename departmentCode
    byProcedure { procedureCode ${FIGURES} dissatisfiedRatings }
    byOfficer { officer ${FIGURES} dissatisfiedRatings } }
} }`;

const STAFF: Identity = { subject: 'staff-1', role: 'CENTRE_STAFF' };
const RB: Identity = { subject: 'rb-1', role: 'REPORT_BUILDER' };
const SERVICE: Identity = { subject: 'svc-1', role: 'SERVICE' };
const QUARTER = { from: '2020-03-01', to: '2020-04-30' };

interface Figures {
  received: number;
  resolved: { total: number; early: number; onTime: number; late: number };
  averageHours: number | null;
  p90Hours: number | null;
  supplementsRequested: number;
}

/** percentile_cont: the value at (n - 1) p of the sorted values, interpolated linearly. */
function percentileCont(values: number[], p: number): number | null {
  if (!values.length) return null;
  const v = [...values].sort((a, b) => a - b);
  const at = (v.length - 1) * p;
  const lo = Math.floor(at);
  return lo + 1 < v.length ? v[lo] + (at - lo) * (v[lo + 1] - v[lo]) : v[lo];
}

/**
 * The figures per procedure and per officer recounted from a system's own rows, the processing time recomputed
 * from receipt, decision and waits on the working calendar (not read from the stored column).
 */
async function recount(system: TestSystem, name: string, departments: string[], from: string, to: string) {
  const db = system.subgraphs[name].server.db;
  const rows: { dossier_code: string; department_code: string; procedure_code: string; officer: string | null; decided_by: string | null;
    received_at: Date; decided_at: Date | null; due_at: Date | null; steps: { status: string; at: string; officer: string | null }[] }[] = await db.query(
    `SELECT x.dossier_code, x.department_code, x.procedure_code, x.officer, x.decided_by, x.received_at, x.decided_at, x.due_at,
            (SELECT json_agg(json_build_object('status', s.status, 'at', s.at, 'officer', s.officer) ORDER BY s.at, s.id)
               FROM status_change s WHERE s.dossier_code = x.dossier_code) AS steps
       FROM processing x WHERE x.department_code = ANY($1)`, [departments]);
  const inPeriod = (d: Date | string | null) => d !== null && localDate(new Date(d)) >= from && localDate(new Date(d)) <= to;
  type Acc = { received: number; early: number; onTime: number; late: number; hours: number[]; supplements: number };
  const acc = new Map<string, Acc>();
  const of = (key: string) => {
    let a = acc.get(key);
    if (!a) acc.set(key, (a = { received: 0, early: 0, onTime: 0, late: 0, hours: [], supplements: 0 }));
    return a;
  };
  for (const r of rows) {
    const keys = (officer: string | null) => [`${r.department_code}|P|${r.procedure_code}`, ...(officer ? [`${r.department_code}|O|${officer}`] : [])];
    if (inPeriod(r.received_at)) keys(r.officer).forEach((k) => of(k).received++);
    if (r.decided_at && inPeriod(r.decided_at)) {
      const day = localDate(r.decided_at);
      const due = r.due_at && localDate(r.due_at);
      let paused = 0;
      r.steps.forEach((s, i) => {
        if (s.status !== 'WAITING') return;
        const end = r.steps[i + 1] ? new Date(r.steps[i + 1].at) : r.decided_at!;
        paused += calendar.workingHoursBetween(new Date(s.at), end);
      });
      // In hundredths of an hour, as stored: the averages and percentiles below are then exact integer arithmetic.
      const hours = Math.round((calendar.workingHoursBetween(r.received_at, r.decided_at) - paused) * 100);
      for (const k of keys(r.decided_by)) {
        const a = of(k);
        if (due && day < due) a.early++;
        else if (!due || day === due) a.onTime++;
        else a.late++;
        a.hours.push(hours);
      }
    }
    for (const s of r.steps) if (s.status === 'WAITING' && inPeriod(s.at)) keys(s.officer).forEach((k) => of(k).supplements++);
  }
  const figures = new Map<string, Figures>();
  for (const [k, a] of acc) {
    const n = a.hours.length;
    // round(avg, 2) half away from zero, and round(percentile_cont(0.9), 2), from the hundredths.
    const avg = n ? Math.floor((2 * a.hours.reduce((s, h) => s + h, 0) + n) / (2 * n)) / 100 : null;
    const p90 = percentileCont(a.hours, 0.9);
    figures.set(k, {
      received: a.received,
      resolved: { total: a.early + a.onTime + a.late, early: a.early, onTime: a.onTime, late: a.late },
      averageHours: avg, p90Hours: p90 === null ? null : Math.round(p90) / 100, supplementsRequested: a.supplements,
    });
  }
  return figures;
}

function expectFigures(actual: Figures, expected: Figures | undefined, what: string) {
  const counts = (f: Figures | undefined) => f && { what, received: f.received, resolved: f.resolved, supplementsRequested: f.supplementsRequested };
  expect(counts(actual)).toEqual(counts(expected));
  for (const f of ['averageHours', 'p90Hours'] as const) {
    if (expected![f] === null) expect(actual[f]).toBeNull();
    else expect({ what, [f]: actual[f] }).toEqual({ what, [f]: expected![f] });
  }
}

describe('figures per procedure and per officer', () => {
  let system: TestSystem;
  let quarter: any[];
  beforeAll(async () => {
    system = await startSystem();
    const res = await system.query(BREAKDOWN, QUARTER, STAFF);
    expect(res.errors).toBeUndefined();
    quarter = res.data.report.byDepartment;
  });
  afterAll(() => system?.close());

  it('when two months are reported, then every department\'s figures per procedure and per officer equal a recount on its own system\'s rows', async () => {
    const systems: Record<string, string> = { TransportDepartmentReport: 'transport', PoliceDepartmentReport: 'police',
      IndustryTradeDepartmentReport: 'industry-trade', OneStopDepartmentReport: 'intake' };
    let procedures = 0;
    let officers = 0;
    let decided = 0;
    for (const [type, name] of Object.entries(systems)) {
      const departments = quarter.filter((d) => d.__typename === type).map((d) => d.departmentCode);
      const expected = await recount(system, name, departments, QUARTER.from, QUARTER.to);
      let rows = 0;
      for (const d of quarter.filter((x) => x.__typename === type)) {
        for (const p of d.byProcedure.filter((x: any) => x.received || x.resolved.total || x.supplementsRequested)) {
          expectFigures(p, expected.get(`${d.departmentCode}|P|${p.procedureCode}`), `${d.departmentCode} ${p.procedureCode}`);
          rows++;
          procedures++;
          decided += p.resolved.total;
        }
        for (const o of d.byOfficer) {
          expectFigures(o, expected.get(`${d.departmentCode}|O|${o.officer}`), `${d.departmentCode} ${o.officer}`);
          expect(o.dissatisfiedRatings).toBeNull();
          rows++;
          officers++;
        }
      }
      // Nothing the recount found is missing from the graph's figures.
      expect(rows).toBe(expected.size);
    }
    expect(procedures).toBeGreaterThan(20);
    expect(officers).toBeGreaterThan(3);
    expect(decided).toBeGreaterThan(1000);
  });

  it('when two months are reported, then each procedure\'s dissatisfied ratings equal a recount on the register\'s ratings', async () => {
    const rows: { department_code: string; procedure_code: string; n: number }[] = await system.subgraphs.intake.server.db.query(
      `SELECT d.department_code, d.procedure_code, count(*)::int AS n FROM rating r JOIN dossier d ON d.code = r.dossier_code
        WHERE r.level = 'DISSATISFIED' AND (r.rated_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date BETWEEN $1 AND $2
        GROUP BY 1, 2`, [QUARTER.from, QUARTER.to]);
    const expected = new Map(rows.map((r) => [`${r.department_code}|${r.procedure_code}`, r.n]));
    const graph = new Map(quarter.flatMap((d) => d.byProcedure.filter((p: any) => p.dissatisfiedRatings > 0)
      .map((p: any) => [`${d.departmentCode}|${p.procedureCode}`, p.dissatisfiedRatings])));
    expect(graph).toEqual(expected);
    expect([...expected.values()].reduce((s, n) => s + n, 0)).toBeGreaterThan(0);
  });

  it('when the per-procedure figures of a department are added up, then they give its part of the report', async () => {
    const res = await system.query(`{ report(from: "2020-03-01", to: "2020-04-30") { byDepartment { departmentCode
      resolved { total early onTime late } receivedCount } } }`, {}, STAFF);
    expect(res.errors).toBeUndefined();
    for (const d of res.data.report.byDepartment) {
      const parts = quarter.find((x) => x.departmentCode === d.departmentCode).byProcedure;
      const sum = (f: (p: any) => number) => parts.reduce((s: number, p: any) => s + f(p), 0);
      expect({ code: d.departmentCode, total: sum((p) => p.resolved.total), early: sum((p) => p.resolved.early), late: sum((p) => p.resolved.late) })
        .toEqual({ code: d.departmentCode, total: d.resolved.total, early: d.resolved.early, late: d.resolved.late });
      expect(sum((p) => p.received)).toBe(d.receivedCount);
    }
  });

  it.each([
    ['centre staff', STAFF, undefined, true],
    ['the department\'s own officer', { subject: 'o-1', role: 'DEPARTMENT_OFFICER', department: 'SGTVT' } as Identity, 'SGTVT', true],
    ['a report builder', RB, undefined, false],
    ['a service', SERVICE, undefined, false],
  ])('when %s asks for the figures per officer, then the officer ids are %s shown', async (_who, as, dept, shown) => {
    const res = await system.query(BREAKDOWN, { ...QUARTER, dept }, as);
    expect(res.errors).toBeUndefined();
    const mine = res.data.report.byDepartment.find((d: any) => d.departmentCode === 'SGTVT');
    const whole = quarter.find((d) => d.departmentCode === 'SGTVT');
    expect(mine.byOfficer.length).toBeGreaterThan(0);
    expect(mine.byOfficer.every((o: any) => (o.officer !== null) === shown)).toBe(true);
    // The figures are the same whoever asks; only the person is hidden.
    expect(mine.byOfficer.map((o: any) => ({ ...o, officer: null }))).toEqual(whole.byOfficer.map((o: any) => ({ ...o, officer: null })));
  });

  it('when an officer asks for another department\'s figures, then it is FORBIDDEN', async () => {
    const res = await system.query(BREAKDOWN, { ...QUARTER, dept: 'CAT' }, { subject: 'o-1', role: 'DEPARTMENT_OFFICER', department: 'SGTVT' });
    expect(res.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('when the figures of every department are asked for one month or for each week of two months, then each system sends the same fixed number of statements', async () => {
    const SERIES = `query($from: Date!, $to: Date!, $every: ReportInterval!) { reportSeries(from: $from, to: $to, every: $every) {
      byDepartment { departmentCode byProcedure { procedureCode ${FIGURES} dissatisfiedRatings } byOfficer { officer ${FIGURES} } } } }`;
    const month = await countStatements(system, async () => {
      const res = await system.query(SERIES, { from: '2020-04-01', to: '2020-04-30', every: 'MONTH' }, STAFF);
      expect(res.errors).toBeUndefined();
    });
    const weeks = await countStatements(system, async () => {
      const res = await system.query(SERIES, { ...QUARTER, every: 'WEEK' }, STAFF);
      expect(res.errors).toBeUndefined();
      expect(res.data.reportSeries.length).toBe(10);
    });
    expect(weeks).toEqual(month);
    // Each department system: the claim of the call's nonce, its department reports (the reference) and their breakdowns.
    for (const name of ['transport', 'police', 'industry-trade']) expect(month[name]).toBe(3);
    // The register: a call for the report and one per department system whose figures byProcedure requires, each with
    // its nonce, the register's figures and the ratings per procedure: however many periods and departments.
    expect(month.intake).toBeLessThanOrEqual(4 * 4);
  });
  it('when the 766 indicators are asked for, then each computable one equals its formula over the report\'s own figures and the others are null with a reason', async () => {
    const res = await system.query(`{ report(from: "2020-04-01", to: "2020-04-30") { resolved { total early onTime } received { total online }
      ratings { total dissatisfied } indicators766 { name formula computable value reason } } }`, {}, RB);
    expect(res.errors).toBeUndefined();
    const r = res.data.report;
    const byName = (start: string) => r.indicators766.find((i: any) => i.name.startsWith(start));
    const pct = (a: number, b: number) => Math.floor((2 * a * 10000 + b) / (2 * b)) / 100;
    expect(byName('Tiến độ').value).toBe(pct(r.resolved.early + r.resolved.onTime, r.resolved.total));
    expect(byName('Tiến độ').value).toBe(99.77);
    expect(byName('Cung cấp dịch vụ trực tuyến: tỷ lệ hồ sơ').value).toBe(pct(r.received.online, r.received.total));
    expect(byName('Mức độ hài lòng: tỷ lệ hài lòng trong tiếp nhận').value).toBe(pct(r.ratings.total - r.ratings.dissatisfied, r.ratings.total));
    const not = r.indicators766.filter((i: any) => !i.computable);
    expect(not.length).toBe(5);
    for (const i of not) expect(i.value === null && i.reason.length > 0).toBe(true);
    for (const i of r.indicators766.filter((x: any) => x.computable)) expect(i.reason).toBeNull();
  });
});
