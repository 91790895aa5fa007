import { randomUUID } from 'node:crypto';
import { devSigningSecret } from '../../subgraphs/kit/config';
import type { Identity } from '../../subgraphs/kit/identity';
import { HEADER, signRequest } from '../../subgraphs/kit/signing';
import { demoDatabaseUrls, RunningSubgraph, startSubgraph } from '../support/system';

/** Attacks straight at a subgraph, bypassing the gateway: each must be refused before any resolver runs. */
describe('calls to a subgraph that the gateway did not sign', () => {
  let transport: RunningSubgraph;
  let code: string;
  const STAFF: Identity = { subject: 'staff', role: 'CENTRE_STAFF' };
  const entities = (c: string) =>
    JSON.stringify({
      query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on TransportProcessing { dossierCode status transportLicence { number } } } }',
      variables: { r: [{ __typename: 'TransportProcessing', dossierCode: c }] },
    });
  const post = (body: string, headers: Record<string, string>) =>
    fetch(transport.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const signed = (body: string, identity: Identity = STAFF, now = Date.now()) =>
    signRequest(devSigningSecret('transport'), { method: 'POST', path: '/graphql', body, identity, requestId: randomUUID() }, now);

  /** Runs an attack and asserts it was refused with FORBIDDEN, leaked nothing, and ran no SQL (a replay: its nonce's claim only). */
  const refused = async (attack: () => Promise<Response>, statements = 0) => {
    transport.server.statements.reset();
    const before = transport.server.requests.refused;
    const res = await attack();
    const body = (await res.json()) as any;
    expect(res.status).toBe(403);
    expect(body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(body.data).toBeUndefined();
    expect(JSON.stringify(body)).not.toContain(code);
    expect(transport.server.statements.count).toBe(statements);
    expect(transport.server.requests.refused).toBe(before + 1);
  };

  beforeAll(async () => {
    transport = await startSubgraph('transport', demoDatabaseUrls().transport);
    [{ code }] = await transport.server.db.query(`SELECT dossier_code AS code FROM processing WHERE licence_number IS NOT NULL LIMIT 1`);
  });
  afterAll(() => transport.server.close());

  it('when a correctly signed call arrives, then it is served (the control for the attacks below)', async () => {
    const body = entities(code);
    const res = await post(body, signed(body));
    expect(((await res.json()) as any).data._entities[0].dossierCode).toBe(code);
  });

  it('when _entities is called without a signature, then it is refused', () => refused(() => post(entities(code), {})));

  it('when _service is called without a signature, then the schema is not given out', () =>
    refused(() => post(JSON.stringify({ query: '{ _service { sdl } }' }), {})));

  it('when the signature is older than 60 s, then it is refused', () => {
    const body = entities(code);
    return refused(() => post(body, signed(body, STAFF, Date.now() - 61_000)));
  });

  it('when one byte of the body is altered after signing, then it is refused', () => {
    const body = entities(code);
    const headers = signed(body);
    return refused(() => post(body.replace('status', 'statuS').replace('statuS', 'status ').trimEnd() + ' ', headers));
  });

  it('when a signed call is replayed, then the second one is refused', async () => {
    const body = entities(code);
    const headers = signed(body);
    expect((await post(body, headers)).status).toBe(200);
    await refused(() => post(body, headers), 1);
  });

  it('when the identity in the envelope is swapped for a stronger one, then it is refused', () => {
    const body = entities(code);
    const headers = signed(body, { subject: 'rb', role: 'REPORT_BUILDER' });
    headers[HEADER.identity] = Buffer.from(JSON.stringify(STAFF)).toString('base64url');
    return refused(() => post(body, headers));
  });

  it('when the call is signed with another subgraph\'s secret, then it is refused', () => {
    const body = entities(code);
    const headers = signRequest(devSigningSecret('police'), { method: 'POST', path: '/graphql', body, identity: STAFF, requestId: randomUUID() });
    return refused(() => post(body, headers));
  });

  it('when only forged identity headers are sent, then it is refused', () =>
    refused(() => post(entities(code), { 'x-user-role': 'CENTRE_STAFF', 'x-user-id': 'admin', cookie: 'session=1', [HEADER.identity]: 'e30' })));
});
