import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { PROJECT_ROOT } from '../../subgraphs/kit/paths';
import type { Identity } from '../../subgraphs/kit/identity';
import { FIGURES_SELECTION } from '../support/recount';
import { historyImport } from '../support/scripts';
import { answered, countStatements, startPrivateSystem, TestSystem, tokenFor } from '../support/system';

const STAFF: Identity = { subject: 'staff-1', role: 'CENTRE_STAFF' };
const RB: Identity = { subject: 'rb-1', role: 'REPORT_BUILDER' };
const OTHER_RB: Identity = { subject: 'rb-2', role: 'REPORT_BUILDER' };
const OFFICER: Identity = { subject: 'o-1', role: 'DEPARTMENT_OFFICER', department: 'SGTVT' };

const APRIL = { from: '2020-04-01', to: '2020-04-30' };
const REPORT = `query($from: Date!, $to: Date!, $dept: String) { report(from: $from, to: $to, departmentCode: $dept) {
  ${FIGURES_SELECTION} balanced published revisions { system month departmentCode reason }
  byDepartment { departmentCode received { total } } } }`;
const WITH_RECONCILIATION = `query($from: Date!, $to: Date!) { report(from: $from, to: $to) { published received { total } reconciliation { consistent } } }`;
const MARK = `{ reportPeriods { month revisionCount } }`;
const REASON = 'Hồ sơ tiếp nhận ngày 20/4 ghi sổ giấy, nhập bổ sung';
const LATE_LINE = JSON.stringify({
  procedureCode: '1.002820', channel: 'DIRECT', receivedAt: '2020-04-20T09:30:00+07:00',
  applicant: { fullName: 'Lê Văn Bổ Sung', idNumber: '056190001235' }, events: [],
});
const DEPARTMENT_SYSTEMS = ['transport', 'police', 'industry-trade'];

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the report cache over closed months', () => {
  let close: () => Promise<void>;
  let system: TestSystem;
  let cacheCounts: () => Promise<Record<string, number>>;
  const departmentStatements = (counts: Record<string, number>) => DEPARTMENT_SYSTEMS.map((n) => counts[n]);

  beforeAll(async () => {
    ({ system, close } = await startPrivateSystem('reportcache'));
    cacheCounts = async () => Object.fromEntries(
      ((await system.gateway.registry.getSingleMetric('motcua_report_cache_total')?.get())?.values ?? []).map((v) => [String(v.labels.result), v.value]),
    );
    expect((await system.query(`mutation { closeReportPeriod(month: "2020-04") { month } }`, {}, STAFF)).errors).toBeUndefined();
  }, 120_000);
  afterAll(() => close?.());

  it('when an open period is asked twice, then each answer is counted afresh in every system', async () => {
    const partOfApril = { from: '2020-04-01', to: '2020-04-29' };
    await answered(system, REPORT, partOfApril, RB);
    const counts = await countStatements(system, () => answered(system, REPORT, partOfApril, RB));
    expect(departmentStatements(counts).every((n) => n > 0)).toBe(true);
  });

  it('when a closed month is asked again by the same role, then the department systems are not asked and the answer is the same', async () => {
    const first = (await answered(system, REPORT, APRIL, RB)).report;
    expect(first.published).toBe(true);
    const before = await cacheCounts();
    let again: any;
    const counts = await countStatements(system, async () => (again = (await answered(system, REPORT, APRIL, OTHER_RB)).report));
    expect(again).toEqual(first);
    expect(departmentStatements(counts)).toEqual([0, 0, 0]);
    expect((await cacheCounts()).hit).toBe((before.hit ?? 0) + 1);
  });

  it('when another role or an officer asks the same, then it is answered for them and not from the report builders\' answer', async () => {
    for (const [who, variables] of [[STAFF, APRIL], [OFFICER, { ...APRIL, dept: 'SGTVT' }]] as const) {
      const counts = await countStatements(system, () => answered(system, REPORT, variables, who));
      expect(counts.transport).toBeGreaterThan(0);
    }
    const officer = (await answered(system, REPORT, { ...APRIL, dept: 'SGTVT' }, OFFICER)).report;
    expect(officer.byDepartment.map((d: { departmentCode: string }) => d.departmentCode)).toEqual(['SGTVT']);
    expect((await system.query(REPORT, APRIL, OFFICER)).errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['FORBIDDEN']);
  });

  it('when the dashboard shows a closed month, then its figures come from the cache and only its live part is counted afresh', async () => {
    const dashboard = Object.values(JSON.parse(readFileSync(join(PROJECT_ROOT, 'dashboard', 'src', 'gql', 'persisted-documents.json'), 'utf8')) as Record<string, string>);
    const operation = (name: string) => dashboard.find((text) => text.startsWith(`query ${name}(`))!;
    const [figures, live] = [operation('DashboardReport'), operation('DashboardReportLive')];
    const variables = { ...APRIL, departmentCode: null, language: 'VI' };
    await answered(system, figures, variables, RB);
    const before = await cacheCounts();
    const counts = await countStatements(system, () => answered(system, figures, variables, RB));
    expect(departmentStatements(counts)).toEqual([0, 0, 0]);
    expect((await cacheCounts()).hit).toBe((before.hit ?? 0) + 1);
    const liveCounts = await countStatements(system, () => answered(system, live, variables, RB));
    expect(departmentStatements(liveCounts).every((n) => n > 0)).toBe(true);
  });

  it('when an operation reads the live reconciliation of a closed month, then it is never answered from the cache', async () => {
    await answered(system, WITH_RECONCILIATION, APRIL, RB);
    const counts = await countStatements(system, () => answered(system, WITH_RECONCILIATION, APRIL, RB));
    expect(departmentStatements(counts).every((n) => n > 0)).toBe(true);
  });

  const exportOf = async (format: string, headers: Record<string, string> = {}) =>
    fetch(`${system.gatewayUrl.replace(/\/graphql$/, '')}/reports/monthly.${format}?from=2020-04-01&to=2020-04-30`, {
      headers: { authorization: `Bearer ${await tokenFor(RB)}`, ...headers },
    });
  const tags: Record<string, string> = {};

  it.each(['csv', 'xlsx'])('when a closed month is exported as %s, then the file may be kept privately and revalidated: the same tag gets 304', async (format) => {
    const first = await exportOf(format);
    expect(first.status).toBe(200);
    expect({ cacheControl: first.headers.get('cache-control'), vary: first.headers.get('vary') }).toEqual({ cacheControl: 'private, no-cache', vary: 'Authorization' });
    tags[format] = first.headers.get('etag')!;
    expect(tags[format]).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect((await exportOf(format)).headers.get('etag')).toBe(tags[format]);
    const revalidated = await exportOf(format, { 'if-none-match': `W/"other", ${tags[format]}` });
    expect({ status: revalidated.status, body: await revalidated.text() }).toEqual({ status: 304, body: '' });
    expect((await exportOf(format, { 'if-none-match': '"other"' })).status).toBe(200);
  });

  it('when a correction revises April in the register and in transport, then the next answer shows both revisions and transport\'s notice reaches the register once', async () => {
    const cached = (await answered(system, REPORT, APRIL, RB)).report;
    expect(cached.revisions).toEqual([]);
    const { code } = await historyImport(system, [LATE_LINE], ['--correction', REASON]);
    expect(code).toBe(0);
    // The register's own revision counts at once; transport's when its notice is delivered.
    const periods = await until(async () => (await answered(system, MARK, {}, RB)).reportPeriods, (p: { revisionCount: number }[]) => p[0].revisionCount === 2);
    expect(periods).toEqual([{ month: '2020-04', revisionCount: 2 }]);
    const after = (await answered(system, REPORT, APRIL, RB)).report;
    expect(after.revisions).toEqual([
      { system: 'intake', month: '2020-04', departmentCode: 'SGTVT', reason: REASON },
      { system: 'transport', month: '2020-04', departmentCode: 'SGTVT', reason: REASON },
    ]);
    const { revisions: _, ...figures } = after;
    const { revisions: __, ...published } = cached;
    expect(figures).toEqual(published);
    expect((await system.subgraphs.intake.server.db.query(`SELECT system, to_char(month, 'YYYY-MM') AS month, department_code AS "departmentCode" FROM period_revision_notice`)))
      .toEqual([{ system: 'transport', month: '2020-04', departmentCode: 'SGTVT' }]);
    // The files carry the revisions beside the published figures: a kept copy is fetched again.
    for (const format of ['csv', 'xlsx']) {
      const res = await exportOf(format, { 'if-none-match': tags[format] });
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).not.toBe(tags[format]);
    }
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(await (await exportOf('xlsx')).arrayBuffer()) as never);
    const notes = book.getWorksheet('Thuyết minh')!.getColumn(1).values.filter(Boolean).map(String);
    expect(notes.filter((n) => n.startsWith('Điều chỉnh sau công bố')).map((n) => n.replace(/, \d{4}-\d\d-\d\dT[^)]*\)/, ')'))).toEqual([
      `Điều chỉnh sau công bố (intake, 2020-04, SGTVT): ${REASON}`,
      `Điều chỉnh sau công bố (transport, 2020-04, SGTVT): ${REASON}`,
    ]);
  });
});
