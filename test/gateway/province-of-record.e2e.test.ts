import type { DataSource } from 'typeorm';
import { importLines } from '../../importer/import';
import type { Identity } from '../../subgraphs/kit/identity';
import { FIGURES_SELECTION, Figures, recount, total } from '../support/recount';
import { startPrivateSystem, TestSystem } from '../support/system';

const RB: Identity = { subject: 'rb-acceptance', role: 'REPORT_BUILDER' };
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

describe('a province\'s own system of record', () => {
  let system: TestSystem;
  let close: () => Promise<void>;
  let dbs: Record<string, DataSource>;

  beforeAll(async () => {
    ({ system, close } = await startPrivateSystem('record', { catalogueOnly: true }));
    dbs = Object.fromEntries(Object.entries(system.subgraphs).map(([n, s]) => [n, s.server.db]));
  }, 120_000);
  afterAll(() => close?.());

  it('when a generated history is imported, then every figure of the report, centre-wide and per department, equals a recount by SQL on each system\'s own database', async () => {
    const procedures = (await dbs.intake.query(`SELECT code FROM procedure ORDER BY code`)).map((p: { code: string }) => p.code);
    const lines = generateHistory(20210501, procedures, '2021-05-01', 80, 600);
    const result = await importLines(lines, dbs);
    expect(result.bad).toEqual([]);

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
});
