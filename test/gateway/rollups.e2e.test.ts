import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { seedDemo } from '../../demo/seed';
import { importLines } from '../../importer/import';
import type { Identity } from '../../subgraphs/kit/identity';
import { rebuildRollups, verifyRollups } from '../../subgraphs/kit/report/rollups';
import { startPrivateSystem, TestSystem } from '../support/system';

const RB: Identity = { subject: 'rb-1', role: 'REPORT_BUILDER' };
const FIGURES = `query($from: Date!, $to: Date!, $dept: String) { report(from: $from, to: $to, departmentCode: $dept) {
  carriedOver received { total } resolved { total early onTime late } withdrawn inProcess { total overdue } returnedByPost
  byDepartment { department { code } received { total } } } }`;

const mismatchesOf = async (dbs: Record<string, DataSource>) =>
  (await Promise.all(Object.entries(dbs).map(([name, db]) => verifyRollups(name, db)))).flat();

describe('rollups against a recount', () => {
  let system: TestSystem;
  let close: () => Promise<void>;
  let dbs: Record<string, DataSource>;
  beforeAll(async () => {
    ({ system, close } = await startPrivateSystem('rollups'));
    dbs = Object.fromEntries(Object.entries(system.subgraphs).map(([n, s]) => [n, s.server.db]));
  });
  afterAll(() => close?.());

  it('when the demo is seeded with --reset twice, then the figures are the same as after the first seed and the rollups match a recount', async () => {
    const april = { from: '2020-04-01', to: '2020-04-30' };
    const first = await system.query(FIGURES, april, RB);
    expect(first.errors).toBeUndefined();
    await seedDemo(dbs, { reset: true });
    await seedDemo(dbs, { reset: true });
    const again = await system.query(FIGURES, april, RB);
    expect(again.data.report).toEqual(first.data.report);
    expect(first.data.report.received.total).toBe(1752);
    // Nothing of the first seed's left beside the second's: no message, no audit record, one RECEIVED event a dossier.
    const [{ messages }] = await dbs.intake.query(`SELECT count(*)::int AS messages FROM outbox_message`);
    const [{ audits }] = await dbs.intake.query(`SELECT count(*)::int AS audits FROM audit_record`);
    const [{ received, dossiers }] = await dbs.intake.query(
      `SELECT (SELECT count(*)::int FROM dossier_event WHERE type = 'RECEIVED') AS received, (SELECT count(*)::int FROM dossier) AS dossiers`);
    expect({ messages, audits, received }).toEqual({ messages: 0, audits: 0, received: dossiers });
    expect(await mismatchesOf(dbs)).toEqual([]);
  });

  it('when a rollup is damaged, then verify names the system, department, day, column and both values, and rebuild repairs it', async () => {
    const [row] = await dbs.transport.query(`SELECT department_code, to_char(day, 'YYYY-MM-DD') AS day, received FROM report_day WHERE received > 0 ORDER BY day LIMIT 1`);
    await dbs.transport.query(`UPDATE report_day SET received = received + 5 WHERE department_code = $1 AND day = $2`, [row.department_code, row.day]);
    const found = await mismatchesOf(dbs);
    expect(found).toEqual(expect.arrayContaining([
      { system: 'transport', table: 'report_day', departmentCode: row.department_code, day: row.day, column: 'received', rollup: String(row.received + 5), recount: String(row.received) },
    ]));
    for (const db of Object.values(dbs)) await rebuildRollups(db);
    expect(await mismatchesOf(dbs)).toEqual([]);
  });

  it('for random histories (withdrawals, supplements, late decisions, re-imports of the same lines), rollups equal the recount, centre-wide and per department', async () => {
    const procedures = ['1.002820', '1.003930', '2.000488', '2.000176', '2.001610', '1.002856'];
    const at = (day: number, hour: number) => new Date(Date.UTC(2021, 5, 1 + day, hour - 7)).toISOString();
    const line = fc.record({
      procedure: fc.constantFrom(...procedures),
      channel: fc.constantFrom('ONLINE', 'DIRECT', 'POSTAL'),
      day: fc.integer({ min: 0, max: 25 }),
      fate: fc.constantFrom('open', 'decided', 'late', 'withdrawn', 'supplement'),
      returned: fc.constantFrom(null, 'DIRECT', 'POSTAL'),
      id: fc.integer({ min: 100000000, max: 999999999 }),
    }).map((l) => {
      const events: object[] = [];
      if (l.fate === 'supplement') events.push({ type: 'SUPPLEMENT_REQUESTED', at: at(l.day + 1, 9) }, { type: 'SUPPLEMENT_RECEIVED', at: at(l.day + 3, 9) });
      if (l.fate === 'withdrawn') events.push({ type: 'WITHDRAWN', at: at(l.day + 1, 10) });
      if (l.fate === 'decided' || l.fate === 'late' || l.fate === 'supplement') {
        events.push({ type: 'DECIDED', at: at(l.day + (l.fate === 'late' ? 40 : 4), 10), outcome: 'APPROVED' });
        if (l.returned) events.push({ type: 'RESULT_RETURNED', at: at(l.day + (l.fate === 'late' ? 41 : 5), 10), channel: l.returned });
      }
      return JSON.stringify({ procedureCode: l.procedure, channel: l.channel, receivedAt: at(l.day, 9),
        applicant: { fullName: 'Phạm Văn Thử', idNumber: `056${l.id}` }, events });
    });
    await fc.assert(fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 30 }), async (lines) => {
      await importLines(lines, dbs);
      await importLines(lines, dbs);
      expect(await mismatchesOf(dbs)).toEqual([]);
      const month = { from: '2021-06-01', to: '2021-07-31' };
      const report = (await system.query(FIGURES, month, RB)).data.report;
      const [reg] = await dbs.intake.query(`SELECT count(*)::int AS n FROM dossier WHERE received_at BETWEEN '2021-06-01T00:00:00+07:00' AND '2021-07-31T23:59:59.999+07:00'`);
      expect(report.received.total).toBe(reg.n);
      let decided = 0;
      for (const name of ['intake', 'transport', 'police', 'industry-trade']) {
        const [r] = await dbs[name].query(`SELECT count(*)::int AS n FROM processing WHERE decided_at BETWEEN '2021-06-01T00:00:00+07:00' AND '2021-07-31T23:59:59.999+07:00'`);
        decided += r.n;
      }
      expect(report.resolved.total).toBe(decided);
      const perDept: { department_code: string; n: number }[] = await dbs.intake.query(
        `SELECT department_code, count(*)::int AS n FROM dossier WHERE received_at BETWEEN '2021-06-01T00:00:00+07:00' AND '2021-07-31T23:59:59.999+07:00' GROUP BY 1`);
      for (const d of perDept) {
        expect(report.byDepartment.find((b: any) => b.department.code === d.department_code).received.total).toBe(d.n);
      }
    }), { numRuns: 5 });
  });
});
