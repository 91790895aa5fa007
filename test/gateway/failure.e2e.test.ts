import { startSystem, TestSystem } from '../support/system';

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

  it('then the rest of the dossier still answers, and the error names no internal address', async () => {
    const [row] = await system.subgraphs.intake.server.db.query(`SELECT code FROM dossier WHERE processing_system = 'police' LIMIT 1`);
    const res = await system.query(`query($c: String!) { dossier(code: $c) { code channel processing { __typename status } } }`, { c: row.code });
    expect(res.data.dossier.code).toBe(row.code);
    expect(res.errors.length).toBeGreaterThan(0);
    const text = JSON.stringify(res.errors);
    expect(text).not.toMatch(/127\.0\.0\.1|localhost|ECONNREFUSED|http:\/\/|stack/i);
    expect(res.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
  });
});
