import { countStatements, startSystem, TestSystem } from '../support/system';

const RECEIPT = `query($c: String!, $id: String!) { receipt(code: $c, idNumber: $id) { code stage } }`;

describe('the receipt lookup against guessing', () => {
  let system: TestSystem;
  let known: { code: string; id: string };
  beforeAll(async () => {
    system = await startSystem();
    [known] = await system.subgraphs.intake.server.db.query(
      `SELECT code, applicant_id_number AS id FROM dossier WHERE applicant_id_number <> '999999999999' ORDER BY code LIMIT 1`,
    );
  });
  afterAll(() => system?.close());

  /** A code of the right form that no dossier has: the known one's day, numbered past any day's count. */
  const unknownCode = () => `${known.code.slice(0, -4)}9999`;

  it('when a wrong code or a right code with a wrong ID number is asked, then the intake does the same work for both: the same statements, a refusal audited alike', async () => {
    const ask = (c: string) => system.query(RECEIPT, { c, id: '999999999999' }, null);
    const [none] = await system.subgraphs.intake.server.db.query('SELECT count(*)::int AS n FROM dossier WHERE code = $1', [unknownCode()]);
    expect(none.n).toBe(0);
    // Warm both paths first: the first call of each prepares what later ones reuse.
    await ask(unknownCode());
    await ask(known.code);
    let wrongCode: any;
    let wrongId: any;
    const forWrongCode = await countStatements(system, async () => (wrongCode = await ask(unknownCode())));
    const forWrongId = await countStatements(system, async () => (wrongId = await ask(known.code)));
    expect(wrongCode).toEqual({ data: { receipt: null } });
    expect(wrongId).toEqual({ data: { receipt: null } });
    expect(forWrongCode.intake).toBeGreaterThan(1);
    expect(forWrongCode).toEqual(forWrongId);
    const refusals = await system.subgraphs.intake.server.db.query(
      `SELECT dossier_code AS code FROM audit_record WHERE dossier_code = ANY($1) AND allowed = false AND role = 'ANONYMOUS'`,
      [[unknownCode(), known.code]],
    );
    expect(new Set(refusals.map((r: { code: string }) => r.code))).toEqual(new Set([unknownCode(), known.code]));
  });

  it('when the right code and ID number are asked, then the receipt answers', async () => {
    const right = await system.query(RECEIPT, { c: known.code, id: known.id }, null);
    expect(right.data.receipt).toMatchObject({ code: known.code, stage: expect.any(String) });
  });
});
