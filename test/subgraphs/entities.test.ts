import { demoDatabaseUrls, RunningSubgraph, signedCall, startSubgraph } from '../support/system';
import { DEPARTMENT_SYSTEMS } from '../../subgraphs/registry';

/** Each subgraph on its own, as the gateway sees it: `_service` and `_entities` over HTTP. */
describe('subgraphs through _entities', () => {
  const running: Record<string, RunningSubgraph> = {};
  const urls = demoDatabaseUrls();
  const codeOf = async (where: string) =>
    (await running.intake.server.db.query(`SELECT code FROM dossier WHERE ${where} ORDER BY code LIMIT 1`))[0].code as string;

  beforeAll(async () => {
    for (const name of ['intake', 'postal', ...DEPARTMENT_SYSTEMS.map((s) => s.name)]) running[name] = await startSubgraph(name, urls[name]);
  });
  afterAll(async () => Promise.all(Object.values(running).map((r) => r.server.close())));

  it('when intake is asked for a Dossier reference, then it resolves it and routes processing by value', async () => {
    const code = await codeOf(`processing_system = 'police'`);
    const res = await signedCall(running.intake, 'intake', `query($r: [_Any!]!) { _entities(representations: $r) {
      ... on Dossier { code channel processing { __typename dossierCode } } } }`, { r: [{ __typename: 'Dossier', code }] });
    expect(res.data._entities[0]).toMatchObject({ code, processing: { __typename: 'PoliceProcessing', dossierCode: code } });
  });

  it('when intake is asked for a OneStopProcessing reference, then it returns its own record with history', async () => {
    const code = await codeOf(`processing_system IS NULL`);
    const res = await signedCall(running.intake, 'intake', `query($r: [_Any!]!) { _entities(representations: $r) {
      ... on OneStopProcessing { dossierCode status history { status } } } }`, { r: [{ __typename: 'OneStopProcessing', dossierCode: code }] });
    expect(res.data._entities[0].dossierCode).toBe(code);
    expect(res.data._entities[0].history[0].status).toBe('NEW');
  });

  it.each(DEPARTMENT_SYSTEMS.map((s) => [s.name, s.processingType!]))(
    'when %s is asked for %s references, then it returns its records in order and null for an unknown one',
    async (name, type) => {
      const code = await codeOf(`processing_system = '${name}'`);
      const res = await signedCall(running[name], name, `query($r: [_Any!]!) { _entities(representations: $r) {
        ... on ${type} { dossierCode status receivedAt history { status at } } } }`, {
        r: [{ __typename: type, dossierCode: code }, { __typename: type, dossierCode: '000.00.16.H56-200401-9999' }],
      });
      expect(res.errors).toBeUndefined();
      expect(res.data._entities[0]).toMatchObject({ dossierCode: code });
      expect(res.data._entities[0].history.length).toBeGreaterThan(0);
      expect(res.data._entities[1]).toBeNull();
    },
  );

  it('when postal is asked for Dossier references, then it gives each its shipments', async () => {
    const code = await codeOf(`channel = 'POSTAL'`);
    const res = await signedCall(running.postal, 'postal', `query($r: [_Any!]!) { _entities(representations: $r) {
      ... on Dossier { code shipments { trackingNumber direction } } } }`, {
      r: [{ __typename: 'Dossier', code }, { __typename: 'Dossier', code: '000.00.16.H56-200401-9999' }],
    });
    expect(res.data._entities[0].shipments[0].direction).toBe('INBOUND');
    expect(res.data._entities[1].shipments).toEqual([]);
  });

  it('when each subgraph is asked for its SDL, then it links federation 2', async () => {
    for (const [name, r] of Object.entries(running)) {
      const res = await signedCall(r, name, '{ _service { sdl } }');
      expect(res.data._service.sdl).toContain('specs.apollo.dev/federation/v2.3');
    }
  });
});
