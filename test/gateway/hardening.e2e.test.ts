import { LIMITS } from '../../gateway/limits';
import { postGraphQL, startSystem, TestSystem } from '../support/system';

const inShipment = (n: number): string => (n <= 1 ? 'trackingNumber' : `dossier { ${inDossier(n - 1)} }`);
const inDossier = (n: number): string => (n <= 1 ? 'code' : `shipments { ${inShipment(n - 1)} }`);
/** A query exactly `depth` deep, going round Shipment.dossier → Dossier.shipments. */
const deep = (depth: number) => `{ shipment(trackingNumber: "RE100000003VN") { ${inShipment(depth - 1)} } }`;
const NODE = `code channel receivedAt dueAt department { code name } procedure { code name workingDays }
  applicant { fullName idNumber phone address } processing { __typename status officer decidedAt history { status at officer note } }
  shipments { trackingNumber direction status events { status at location } } rating { level }`;
const page = (alias: string) => `${alias}: dossiers(first: 100) { edges { cursor node { ${NODE} } } pageInfo { hasNextPage endCursor } }`;

describe('limits at the gateway', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startSystem();
  });
  afterAll(() => system?.close());

  /** Asserts the operation was refused at validation and that no subgraph received a request. */
  const rejectedBeforeSubgraphs = async (query: string, pattern: RegExp) => {
    const before = Object.values(system.subgraphs).map((s) => s.server.requests.accepted);
    const res = await system.query(query);
    expect(res.data ?? null).toBeNull();
    expect(res.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors[0].message).toMatch(pattern);
    expect(Object.values(system.subgraphs).map((s) => s.server.requests.accepted)).toEqual(before);
  };

  it(`when a query is ${LIMITS.depth} deep, then it runs; one level deeper is refused before any subgraph is called`, async () => {
    const ok = await system.query(deep(LIMITS.depth));
    expect(ok.errors).toBeUndefined();
    expect(ok.data.shipment.trackingNumber ?? ok.data.shipment.dossier).toBeTruthy();
    await rejectedBeforeSubgraphs(deep(LIMITS.depth + 1), /depth/i);
  });

  it(`when a query has ${LIMITS.aliases} aliases it runs; ${LIMITS.aliases + 1} are refused`, async () => {
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `d${i}: departments { code }`).join(' ')} }`;
    expect((await system.query(aliases(LIMITS.aliases))).errors).toBeUndefined();
    await rejectedBeforeSubgraphs(aliases(LIMITS.aliases + 1), /alias/i);
  });

  it('when the heaviest page clients send is asked, then it runs; three of them in one operation are refused for cost', async () => {
    const one = await system.query(`{ ${page('a')} }`);
    expect(one.errors).toBeUndefined();
    await rejectedBeforeSubgraphs(`{ ${page('a')} ${page('b')} ${page('c')} }`, /cost/i);
  });

  it('when directives are piled on a field, then the operation is refused', async () => {
    const directives = Array.from({ length: LIMITS.directives + 1 }, () => '@include(if: true)').join(' ');
    await rejectedBeforeSubgraphs(`{ departments { code ${directives} } }`, /directive/i);
  });

  it('when the body is larger than the cap, then it is refused with 413 and no subgraph is called', async () => {
    const before = Object.values(system.subgraphs).map((s) => s.server.requests.accepted);
    const res = await fetch(system.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ departments { code } }', variables: { pad: 'x'.repeat(300_000) } }),
    });
    expect(res.status).toBe(413);
    expect(Object.values(system.subgraphs).map((s) => s.server.requests.accepted)).toEqual(before);
  });

  it('when several operations are batched in one HTTP request, then the request is refused', async () => {
    const res = await fetch(system.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ departments { code } }' }, { query: '{ departments { code } }' }]),
    });
    expect(res.status).toBe(400);
  });

  it('when a cross-site form posts an operation, then CSRF prevention refuses it', async () => {
    const res = await fetch(`${system.gatewayUrl}?query=${encodeURIComponent('{ departments { code } }')}`);
    expect(res.status).toBe(400);
  });

  const post = (url: string, headers: Record<string, string> = {}, body = JSON.stringify({ query: '{ departments { code } }' })) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('when an operation is answered, then no browser or proxy may keep it, and its request id comes back', async () => {
    const res = await post(system.gatewayUrl, { 'x-request-id': 'client-correlation-1' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-request-id')).toMatch(/^client-correlation-1-[0-9a-f]{12}$/);
    const again = await post(system.gatewayUrl, { 'x-request-id': 'client-correlation-1' });
    expect(again.headers.get('x-request-id')).not.toBe(res.headers.get('x-request-id'));
  });

  it('when the endpoint is written with a trailing slash or in capitals, then it is the same endpoint', async () => {
    for (const url of [`${system.gatewayUrl}/`, system.gatewayUrl.replace(/graphql$/, 'GraphQL')]) {
      const res = await post(url);
      expect(res.status).toBe(200);
      expect(((await res.json()) as any).data.departments.length).toBeGreaterThan(0);
    }
  });

  it('when the body is compressed or not UTF-8, then it is refused with 415 and no subgraph is called', async () => {
    const before = Object.values(system.subgraphs).map((s) => s.server.requests.accepted);
    expect((await post(system.gatewayUrl, { 'content-encoding': 'gzip' })).status).toBe(415);
    expect((await post(system.gatewayUrl, { 'content-type': 'application/json; charset=iso-8859-1' })).status).toBe(415);
    expect(Object.values(system.subgraphs).map((s) => s.server.requests.accepted)).toEqual(before);
  });
});

describe('the gateway in production', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startSystem(undefined, { production: true });
  });
  afterAll(() => system?.close());

  it('when introspection is asked, then it is refused', async () => {
    const res = await system.query('{ __schema { types { name } } }');
    expect(res.data ?? null).toBeNull();
    expect(res.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('when a field is misspelt, then no suggestion reveals the schema', async () => {
    const res = await system.query('{ departments { nam } }');
    expect(res.errors[0].message).not.toMatch(/Did you mean/i);
  });

  it('when a limit is exceeded, then the message does not echo the limit', async () => {
    const res = await system.query(deep(LIMITS.depth + 3));
    expect(res.errors[0].message).not.toContain(String(LIMITS.depth));
  });
});

describe('anonymous callers', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startSystem();
  });
  afterAll(() => system?.close());

  it('when no token is sent, then the catalogue answers and nothing personal does', async () => {
    const res = await postGraphQL(system.gatewayUrl, '{ departments { code name } }');
    expect(res.data.departments.length).toBe(20);
  });
});
