import type { Identity } from '../../subgraphs/kit/identity';
import { verifyAuditChain } from '../../subgraphs/kit/audit/audit-log';
import { DEV_AUDIT_KEY } from '../../subgraphs/kit/config';
import { figuresDigest } from '../../subgraphs/kit/periods/period.store';
import { LATE_HANDOVER } from '../../subgraphs/kit/periods/period.handlers';
import { FIGURES_SELECTION } from '../support/recount';
import { historyImport } from '../support/scripts';
import { enqueue } from '../../subgraphs/kit/messaging/outbox';
import { answered, settle, startPrivateSystem, TestSystem } from '../support/system';

const STAFF: Identity = { subject: 'staff-1', role: 'CENTRE_STAFF' };
const RB: Identity = { subject: 'rb-1', role: 'REPORT_BUILDER' };
const OFFICER: Identity = { subject: 'o-1', role: 'DEPARTMENT_OFFICER', department: 'SGTVT' };
const SYSTEMS = ['intake', 'transport', 'police', 'industry-trade'];

const CLOSE = `mutation($month: String!) { closeReportPeriod(month: $month) { month closedAt digest } }`;
const PART = `departmentCode received { total online direct postal }
  ... on OneStopDepartmentReport { published carriedOver resolved { total early onTime late } withdrawn inProcess { total overdue } }
  ... on TransportDepartmentReport { published carriedOver resolved { total early onTime late } withdrawn inProcess { total overdue } }
  ... on PoliceDepartmentReport { published carriedOver resolved { total early onTime late } withdrawn inProcess { total overdue } }
  ... on IndustryTradeDepartmentReport { published carriedOver resolved { total early onTime late } withdrawn inProcess { total overdue } }`;
const REPORT = `query($from: Date!, $to: Date!, $dept: String) { report(from: $from, to: $to, departmentCode: $dept) {
  ${FIGURES_SELECTION} balanced published byDepartment { ${PART} } } }`;
const REVISIONS = `query($from: Date!, $to: Date!) { report(from: $from, to: $to) {
  published revisions { system month departmentCode reason changes { figure published revised } } } }`;
const RECEIVE = `mutation($input: ReceiveDossierInput!) { receiveDossier(input: $input) { code } }`;

const APRIL = { from: '2020-04-01', to: '2020-04-30' };
const SPRING = { from: '2020-03-01', to: '2020-04-30' };
const PART_OF_APRIL = { from: '2020-04-01', to: '2020-04-29' };
const REASON = 'Hồ sơ tiếp nhận ngày 20/4 ghi sổ giấy, nhập bổ sung';

/** A transport dossier received on 20 April 2020 at the counter, still open: it adds to April's intake and backlog. */
const LATE_LINE = JSON.stringify({
  procedureCode: '1.002820', channel: 'DIRECT', receivedAt: '2020-04-20T09:30:00+07:00',
  applicant: { fullName: 'Lê Văn Bổ Sung', idNumber: '056190001234' }, events: [],
});

/** The published figures (published flag left out) of a report answer, and of each of its departments. */
const figures = (report: Record<string, unknown>) => {
  const { published: _, byDepartment, ...rest } = report as { published: boolean; byDepartment: Record<string, unknown>[] };
  return { ...rest, byDepartment: byDepartment.map(({ published: __, ...d }) => d) };
};

describe('closed reporting periods', () => {
  let close: () => Promise<void>;
  let system: TestSystem;
  let aprilBefore: Record<string, unknown>;
  let springBefore: Record<string, unknown>;
  let partBefore: { received: { total: number } };

  beforeAll(async () => {
    ({ system, close } = await startPrivateSystem('periods'));
    aprilBefore = (await answered(system, REPORT, APRIL, RB)).report;
    springBefore = (await answered(system, REPORT, SPRING, RB)).report;
    partBefore = (await answered(system, REPORT, PART_OF_APRIL, RB)).report;
  }, 120_000);
  afterAll(() => close?.());

  const periodsIn = async (name: string) =>
    (await system.subgraphs[name].server.db.query(`SELECT to_char(month, 'YYYY-MM') AS month, figures, digest FROM report_period ORDER BY month`)) as
      { month: string; figures: unknown; digest: string }[];

  it.each([
    [{ month: '2020-04' }, RB, 'FORBIDDEN'],
    [{ month: '2020-04' }, OFFICER, 'FORBIDDEN'],
    [{ month: '2020-13' }, STAFF, 'BAD_USER_INPUT'],
    [{ month: '2020-4' }, STAFF, 'BAD_USER_INPUT'],
    [{ month: new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 7) }, STAFF, 'BAD_USER_INPUT'],
  ])('when %j is closed by %j, then it is refused with %s and nothing is closed', async (variables, who, code) => {
    const res = await system.query(CLOSE, variables, who);
    expect(res.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual([code]);
    for (const name of SYSTEMS) expect(await periodsIn(name)).toEqual([]);
  });

  it('when centre staff close April 2020, then every system freezes its figures and signs their digest in its audit chain', async () => {
    const closed = (await answered(system, CLOSE, { month: '2020-04' }, STAFF)).closeReportPeriod;
    expect(closed).toEqual({ month: '2020-04', closedAt: expect.any(String), digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    await settle(system);
    for (const name of SYSTEMS) {
      const [april, ...others] = await periodsIn(name);
      expect({ name, others, month: april.month }).toEqual({ name, others: [], month: '2020-04' });
      expect(figuresDigest(april.figures)).toBe(april.digest);
      const db = system.subgraphs[name].server.db;
      const signed = await db.query(`SELECT fields FROM audit_record WHERE dossier_code = 'period:2020-04' AND allowed`);
      expect(signed).toEqual([{ fields: [`digest:${april.digest}`] }]);
      expect((await verifyAuditChain(db, DEV_AUDIT_KEY)).brokenAt).toBeUndefined();
    }
    expect((await periodsIn('intake'))[0].digest).toBe(closed.digest);
    expect((await answered(system, `{ reportPeriods { month digest } }`, {}, RB)).reportPeriods).toEqual([{ month: '2020-04', digest: closed.digest }]);
  });

  it('when April is reported after its close, then it answers the figures it had, as published, for the centre and each department', async () => {
    const after = (await answered(system, REPORT, APRIL, RB)).report;
    expect(after.published).toBe(true);
    expect(after.byDepartment.every((d: { published?: boolean }) => d.published !== false)).toBe(true);
    expect(figures(after)).toEqual(figures(aprilBefore));
    const transport = (await answered(system, REPORT, { ...APRIL, dept: 'SGTVT' }, RB)).report;
    expect(transport.published).toBe(true);
    expect(figures(transport).byDepartment).toEqual(figures(aprilBefore).byDepartment.filter((d) => d.departmentCode === 'SGTVT'));
  });

  it('when April is closed again, then it is a CONFLICT and the closure stands', async () => {
    const before = await periodsIn('intake');
    const res = await system.query(CLOSE, { month: '2020-04' }, STAFF);
    expect(res.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['CONFLICT']);
    expect(await periodsIn('intake')).toEqual(before);
  });

  it('when a closed period\'s rows are changed in a database, then PostgreSQL refuses', async () => {
    for (const name of SYSTEMS) {
      const db = system.subgraphs[name].server.db;
      await expect(db.query(`UPDATE report_period SET digest = repeat('0', 64)`)).rejects.toThrow("a closed period's rows are final: UPDATE on report_period refused");
      await expect(db.query(`DELETE FROM report_period`)).rejects.toThrow("a closed period's rows are final: DELETE on report_period refused");
    }
  });

  it('when March is closed too, then a report over both months answers the two snapshots together, as it answered before', async () => {
    await answered(system, CLOSE, { month: '2020-03' }, STAFF);
    await settle(system);
    const after = (await answered(system, REPORT, SPRING, RB)).report;
    expect(after.published).toBe(true);
    expect(figures(after)).toEqual(figures(springBefore));
    // Not whole months: counted live, and said so.
    const part = (await answered(system, REPORT, PART_OF_APRIL, RB)).report;
    expect(part.published).toBe(false);
  });

  it('when a dossier is registered dated in a closed month, then it is a CONFLICT and nothing is written', async () => {
    const db = system.subgraphs.intake.server.db;
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM dossier`);
    const res = await system.query(RECEIVE, { input: {
      procedureCode: '1.002820', channel: 'DIRECT', receivedAt: '2020-04-20T09:30:00+07:00',
      applicant: { fullName: 'Lê Văn Muộn', idNumber: '056190001235' },
    } }, STAFF);
    expect(res.errors.map((e: { extensions: { code: string; field: string } }) => e.extensions)).toEqual([expect.objectContaining({ code: 'CONFLICT', field: 'receivedAt' })]);
    expect(res.errors[0].message).toBe('receivedAt: 2020-04 is a closed reporting period; a dossier received then comes through a correction (npm run import -- FILE --correction "reason")');
    expect((await db.query(`SELECT count(*)::int AS n FROM dossier`))[0].n).toBe(n);
  });

  it('when a history line into April is imported without a correction, then the command refuses it naming the month', async () => {
    const { code, out } = await historyImport(system, [LATE_LINE]);
    expect({ code, out }).toEqual({ code: 1, out: expect.stringContaining('line 1: 2020-04: a closed reporting period; import it with --correction "reason"') });
    expect(await system.subgraphs.intake.server.db.query(`SELECT code FROM dossier WHERE applicant_id_number = '056190001234'`)).toEqual([]);
  });

  it('when it is imported with a correction, then the published figures stand and each system shows the revision with its reason and what it changed', async () => {
    const { code, out } = await historyImport(system, [LATE_LINE], ['--correction', REASON]);
    expect({ code, out }).toEqual({ code: 0, out: expect.stringContaining('revision: transport 2020-04 SGTVT') });
    expect(out).toContain('revision: intake 2020-04 SGTVT');
    const after = (await answered(system, REPORT, APRIL, RB)).report;
    expect(after.published).toBe(true);
    expect(figures(after)).toEqual(figures(aprilBefore));
    expect(figures((await answered(system, REPORT, SPRING, RB)).report)).toEqual(figures(springBefore));
    // Counted live (not whole months), the dossier is there.
    const live = (await answered(system, REPORT, PART_OF_APRIL, RB)).report;
    expect({ published: live.published, received: live.received.total }).toEqual({ published: false, received: partBefore.received.total + 1 });

    const { revisions } = (await answered(system, REVISIONS, APRIL, RB)).report;
    const transportBefore = figures(aprilBefore).byDepartment.find((d) => d.departmentCode === 'SGTVT') as
      { received: { total: number; direct: number }; inProcess: { total: number } };
    expect(revisions).toEqual([
      expect.objectContaining({ system: 'intake', month: '2020-04', departmentCode: 'SGTVT', reason: REASON, changes: [
        { figure: 'received.direct', published: transportBefore.received.direct, revised: transportBefore.received.direct + 1 },
        { figure: 'received.total', published: transportBefore.received.total, revised: transportBefore.received.total + 1 },
      ] }),
      expect.objectContaining({ system: 'transport', month: '2020-04', departmentCode: 'SGTVT', reason: REASON }),
    ]);
    const changed = Object.fromEntries(revisions[1].changes.map((c: { figure: string; published: number; revised: number }) => [c.figure, c.revised - c.published]));
    expect(changed).toMatchObject({ receivedCount: 1, 'inProcess.total': 1 });
    // The report over both closed months shows April's revisions too; a re-run of the same correction records nothing more.
    expect((await answered(system, REVISIONS, SPRING, RB)).report.revisions).toHaveLength(2);
    expect((await historyImport(system, [LATE_LINE], ['--correction', REASON])).out).not.toContain('revision:');
    expect((await answered(system, REVISIONS, APRIL, RB)).report.revisions).toHaveLength(2);
  });

  it('when a hand-over sent before April closed reaches the department after, then the department keeps it as a revision', async () => {
    const code = '000.00.16.H56-200430-9001';
    // What the register enqueued on 30 April, delivered only now.
    await system.subgraphs.intake.server.db.transaction((m) => enqueue(m, [{
      destination: 'transport', dossierCode: code, type: 'HANDOVER',
      payload: { procedureCode: '1.002820', departmentCode: 'SGTVT', receivedAt: '2020-04-30T03:00:00.000Z', dueAt: '2020-05-08T03:00:00.000Z',
        handedOverAt: '2020-04-30T03:00:01.000Z', applicantIdNumber: '056190001236' },
    }]));
    system.subgraphs.intake.server.outbox.kick();
    await settle(system);
    const transport = system.subgraphs.transport.server.db;
    expect(await transport.query(`SELECT status FROM processing WHERE dossier_code = $1`, [code])).toEqual([{ status: 'NEW' }]);
    const revisions: { reason: string }[] = await transport.query(
      `SELECT reason FROM period_revision WHERE month = '2020-04-01' AND department_code = 'SGTVT' ORDER BY id`);
    expect(revisions.map((r) => r.reason)).toEqual([REASON, LATE_HANDOVER]);
  });
});
