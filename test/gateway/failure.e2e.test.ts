import { startSystem, TestSystem, tokenFor } from '../support/system';

describe('when a department system is down', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startSystem();
    await system.subgraphs.police.server.close();
  });
  afterAll(async () => {
    await system.gateway.close();
    await Promise.all(Object.entries(system.subgraphs).filter(([n]) => n !== 'police').map(([, s]) => s.server.close()));
  });

  it('then the rest of the dossier still answers, its processing is UNAVAILABLE naming the police system, and the error names no internal address', async () => {
    const [row] = await system.subgraphs.intake.server.db.query(`SELECT code FROM dossier WHERE processing_system = 'police' LIMIT 1`);
    const res = await system.query(`query($c: String!) { dossier(code: $c) { code channel processing { __typename status } } }`, { c: row.code });
    expect(res.data.dossier).toEqual({ code: row.code, channel: expect.any(String), processing: null });
    expect(res.errors).toEqual([
      {
        message: 'the system of department CAT is not answering; try again later',
        path: ['dossier', 'processing'],
        extensions: { code: 'UNAVAILABLE', subgraph: 'police', departmentCode: 'CAT', requestId: expect.any(String) },
      },
    ]);
    expect(JSON.stringify(res.errors)).not.toMatch(/127\.0\.0\.1|localhost|ECONNREFUSED|http:\/\/|stack|serviceName/i);
  });

  it('and a report is asked for, then no total is given without its figures: the error names the department whose system did not answer', async () => {
    const res = await system.query(
      `{ report(from: "2020-04-01", to: "2020-04-30") { carriedOver resolved { total } inProcess { total } balanced reconciliation { problems } byDepartment { department { code } received { total } } } }`,
      {}, { subject: 'rb', role: 'REPORT_BUILDER' });
    const report = res.data.report;
    for (const total of ['carriedOver', 'resolved', 'inProcess', 'balanced']) expect(report[total]).toBeNull();
    // The register withholds each total, with its own reason; the police system's own part of its entry is UNAVAILABLE.
    const withheld = res.errors.filter((e: any) => e.extensions.code === 'UNAVAILABLE' && !e.extensions.subgraph);
    expect(withheld.map((e: any) => e.path.at(-1)).sort()).toEqual(['balanced', 'carriedOver', 'inProcess', 'resolved']);
    expect(withheld[0].message).toContain('Công an tỉnh');
    const police = report.byDepartment.findIndex((d: any) => d.department.code === 'CAT');
    expect(res.errors.filter((e: any) => e.extensions.subgraph)).toEqual([
      expect.objectContaining({ path: ['report', 'byDepartment', police], extensions: expect.objectContaining({ code: 'UNAVAILABLE', subgraph: 'police', departmentCode: 'CAT' }) }),
    ]);
    expect(JSON.stringify(res.errors)).not.toMatch(/127\.0\.0\.1|localhost|ECONNREFUSED|http:\/\/|stack/i);
    // What does not depend on the police system still answers.
    expect(report.reconciliation.problems).toEqual(['Công an tỉnh: its system did not answer']);
    expect(report.byDepartment.map((d: any) => d.received.total).reduce((a: number, b: number) => a + b, 0)).toBe(1752);
  });

  it('and the report is exported, then the export says the report is unavailable instead of writing wrong totals', async () => {
    const res = await fetch(`${system.gatewayUrl.replace(/\/graphql$/, '')}/reports/monthly.csv?from=2020-04-01&to=2020-04-30`, {
      headers: { authorization: `Bearer ${await tokenFor({ subject: 'rb', role: 'REPORT_BUILDER' })}` },
    });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { code: string }).code).toBe('UNAVAILABLE');
  });
});
