import { randomUUID } from 'node:crypto';
import { AuditResult, serverAudits } from 'graphql-http';
import { request } from 'undici';
import { devSigningSecret } from '../../subgraphs/kit/config';
import { signRequest } from '../../subgraphs/kit/signing';
import { LIMITS } from '../../gateway/limits';
import { signedCall, startSystem, TestSystem, tokenFor, STAFF } from '../support/system';

const GRAPHQL_RESPONSE = 'application/graphql-response+json';
const JSON_ONLY = 'application/json';

/**
 * Audits of the graphql-http suite the gateway does not pass, each with its reason. The test fails when one more
 * fails or one of these passes, so the list stays the truth.
 */
const NOT_PASSED: Record<string, string> = {
  // CSRF prevention (Apollo's csrfPrevention) is on by choice: a GET carries no content type, so it must carry
  // a non-simple header (apollo-require-preflight) or a browser form could run it cross-site. The audits'
  // GETs carry none; with the header they pass (see below).
  '5A70': 'MAY accept GET: refused without a CSRF-prevention header',
  D6D5: 'MAY accept JSON variables in a GET (graphql-response+json): refused without a CSRF-prevention header',
  '6A70': 'MAY accept JSON variables in a GET (application/json): refused without a CSRF-prevention header',
};

async function audit(url: string, extraHeaders: Record<string, string> = {}): Promise<AuditResult[]> {
  const fetchFn = (input: string, init: RequestInit = {}) =>
    fetch(input, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), ...extraHeaders } });
  const results: AuditResult[] = [];
  // One after another: the audits are cheap, and a failure is easier to read in order.
  for (const a of serverAudits({ url, fetchFn })) results.push(await a.fn());
  return results;
}

interface ErrorBody {
  data?: unknown;
  errors: { message: string; extensions: { code: string; requestId?: string } }[];
}

describe('GraphQL over HTTP at the gateway', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startSystem();
  });
  afterAll(() => system?.close());

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(system.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const subgraphCalls = () => Object.values(system.subgraphs).reduce((n, s) => n + s.server.requests.accepted, 0);

  /** The error answer, checked for what every error answer must hold: coded, and under the id the response names. */
  const errorAnswer = async (res: Response): Promise<ErrorBody> => {
    const body = (await res.json()) as ErrorBody;
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.errors.length).toBeGreaterThan(0);
    for (const e of body.errors) expect(e.extensions.requestId).toBe(requestId);
    return body;
  };

  it('when the graphql-http audit runs, then every MUST passes and exactly the listed audits do not', async () => {
    const results = await audit(system.gatewayUrl);
    expect(results.length).toBeGreaterThan(50);
    const failed = results.filter((r) => r.status !== 'ok');
    expect(failed.filter((r) => r.name.startsWith('MUST')).map((r) => r.id)).toEqual([]);
    expect(failed.map((r) => r.id).sort()).toEqual(Object.keys(NOT_PASSED).sort());
  });

  it('when the audit GETs carry a CSRF-prevention header, then the GET audits pass as well', async () => {
    const results = await audit(system.gatewayUrl, { 'apollo-require-preflight': 'true' });
    expect(results.filter((r) => r.status !== 'ok').map((r) => r.id)).toEqual([]);
  });

  for (const [what, query, code] of [
    ['a syntax error', '{ departments { code }', 'GRAPHQL_PARSE_FAILED'],
    ['a validation error', '{ departments { notAField } }', 'GRAPHQL_VALIDATION_FAILED'],
  ] as const) {
    it(`when a query has ${what}, then it is 400 for ${GRAPHQL_RESPONSE} and 200 for ${JSON_ONLY}, coded, with no data and the request id`, async () => {
      const strict = await post({ query }, { accept: GRAPHQL_RESPONSE });
      expect(strict.status).toBe(400);
      expect(strict.headers.get('content-type')).toContain(GRAPHQL_RESPONSE);
      const strictBody = await errorAnswer(strict);
      expect(strictBody.errors[0].extensions.code).toBe(code);
      expect(strictBody).not.toHaveProperty('data');

      const plain = await post({ query }, { accept: JSON_ONLY });
      expect(plain.status).toBe(200);
      expect(plain.headers.get('content-type')).toContain(JSON_ONLY);
      expect((await errorAnswer(plain)).errors[0].extensions.code).toBe(code);
    });
  }

  it(`when a query has more than ${LIMITS.tokens} tokens, then it is a 400 parse failure and no subgraph is called`, async () => {
    const before = subgraphCalls();
    const query = `{ ${Array.from({ length: LIMITS.tokens }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const res = await post({ query }, { accept: GRAPHQL_RESPONSE });
    expect(res.status).toBe(400);
    const body = await errorAnswer(res);
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(body.errors[0].message).toMatch(/tokens/);
    expect(subgraphCalls()).toBe(before);
  });

  it('when a request is refused before any operation runs, then its error still carries the request id', async () => {
    const refusals: [string, Promise<Response>, number, string][] = [
      ['a token that does not verify', post({ query: '{ __typename }' }, { authorization: 'Bearer a.b.c' }), 401, 'UNAUTHENTICATED'],
      ['a cross-site form post', post({ query: '{ __typename }' }, { 'content-type': 'text/plain' }), 400, 'BAD_REQUEST'],
      ['a body that is not JSON', post('{"query": ', {}), 400, 'BAD_REQUEST'],
      ['a compressed body', post({ query: '{ __typename }' }, { 'content-encoding': 'gzip' }), 415, 'BAD_REQUEST'],
      ['a body over the cap', post({ query: '{ __typename }', variables: { pad: 'x'.repeat(300_000) } }), 413, 'BAD_REQUEST'],
      ['a batch', post([{ query: '{ __typename }' }, { query: '{ __typename }' }]), 400, 'BAD_REQUEST'],
      ['no query', post({}), 400, 'BAD_REQUEST'],
    ];
    for (const [what, pending, status, code] of refusals) {
      const res = await pending;
      expect({ what, status: res.status }).toEqual({ what, status });
      expect({ what, code: (await errorAnswer(res)).errors[0].extensions.code }).toEqual({ what, code });
    }
  });

  it('when the route refuses a request, then it answers in the media type the client asked for', async () => {
    const res = await post({ query: '{ __typename }' }, { 'content-encoding': 'gzip', accept: GRAPHQL_RESPONSE });
    expect(res.status).toBe(415);
    expect(res.headers.get('content-type')).toContain(GRAPHQL_RESPONSE);
  });

  it('when a caller sends no Accept header, as the gateway calls a subgraph, then a request error keeps its 400', async () => {
    const body = JSON.stringify({ query: 'query ($c: String!) { dossier(code: $c) { code } }', variables: { c: 1 } });
    const signed = signRequest(devSigningSecret('intake'), { method: 'POST', path: '/graphql', body, identity: STAFF, requestId: randomUUID() });
    // undici's request, as the gateway's subgraph calls use, adds no Accept header of its own (fetch would).
    const res = await request(system.subgraphs.intake.url, { method: 'POST', headers: { 'content-type': 'application/json', ...signed }, body });
    expect(res.statusCode).toBe(400);
    expect(((await res.body.json()) as ErrorBody).errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  describe('a NUL character, which PostgreSQL cannot store in text', () => {
    const search = 'query ($s: String) { dossiers(filter: { search: $s }, first: 1) { totalCount } }';
    const nulRequests: [string, unknown][] = [
      ['a variable', { query: search, variables: { s: 'Bùi\u0000Trung' } }],
      ['a variable deep in an input object', {
        query: 'mutation ($i: ReceiveDossierInput!) { receiveDossier(input: $i) { code } }',
        variables: { i: { procedureCode: '1.002820', channel: 'ONLINE', applicant: { fullName: 'Bùi Đức\u0000Trung', idNumber: '056080001234' } } },
      }],
      ['a string literal, escaped', { query: '{ dossiers(filter: { search: "B\\u0000" }, first: 1) { totalCount } }' }],
      ['a string literal, escaped with braces', { query: '{ dossiers(filter: { search: "B\\u{0}" }, first: 1) { totalCount } }' }],
      ['a string literal, raw', { query: '{ dossiers(filter: { search: "B\u0000" }, first: 1) { totalCount } }' }],
      ['the query outside any literal', { query: '{ departments { code } }\u0000' }],
      ['the operation name', { query: 'query A { departments { code } }', operationName: 'A\u0000' }],
      ['the extensions', { query: '{ departments { code } }', extensions: { note: '\u0000' } }],
      // The JSON text spells the GraphQL escape's backslash as \u005c: only the decoded query shows \u0000.
      ['a string literal escaped through a JSON-escaped backslash', '{"query":"{ dossiers(filter: { search: \\"B\\u005cu0000\\" }, first: 1) { totalCount } }"}'],
    ];
    for (const [where, body] of nulRequests) {
      it(`when ${where} holds one, then the request is BAD_USER_INPUT (400) and no subgraph is called`, async () => {
        const before = subgraphCalls();
        const res = await post(body, { accept: GRAPHQL_RESPONSE, authorization: `Bearer ${await tokenFor(STAFF)}` });
        expect(res.status).toBe(400);
        expect((await errorAnswer(res)).errors.map((e) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
        expect(subgraphCalls()).toBe(before);
      });
    }

    it(`when a client asks for ${JSON_ONLY} only, then the NUL refusal is 200, as every request error is`, async () => {
      const res = await post({ query: search, variables: { s: '\u0000' } }, { accept: JSON_ONLY });
      expect(res.status).toBe(200);
      expect((await errorAnswer(res)).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    });

    it('when a GET carries one in its query string, then it is BAD_USER_INPUT too', async () => {
      const url = new URL(system.gatewayUrl);
      url.searchParams.set('query', search);
      url.searchParams.set('variables', JSON.stringify({ s: 'B\u0000' }));
      const res = await fetch(url, { headers: { accept: GRAPHQL_RESPONSE, 'apollo-require-preflight': 'true' } });
      expect(res.status).toBe(400);
      expect((await errorAnswer(res)).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    });

    it('when "\\u0000" is only text (an escaped backslash, a comment, a block string), then the query runs', async () => {
      const res = await post(
        { query: `{ departments { code } } # \\u0000`, variables: { note: 'C:\\u0000' } },
        { accept: GRAPHQL_RESPONSE },
      );
      expect(res.status).toBe(200);
      const literal = await post({ query: '{ dossiers(filter: { search: "\\\\u0000" }, first: 1) { totalCount } }' }, {
        accept: GRAPHQL_RESPONSE,
        authorization: `Bearer ${await tokenFor(STAFF)}`,
      });
      expect(literal.status).toBe(200);
      expect(((await literal.json()) as { errors?: unknown }).errors).toBeUndefined();
      const block = await post({ query: '{ dossiers(filter: { search: """\\u0000""" }, first: 1) { totalCount } }' }, {
        accept: GRAPHQL_RESPONSE,
        authorization: `Bearer ${await tokenFor(STAFF)}`,
      });
      expect(block.status).toBe(200);
      expect(((await block.json()) as { errors?: unknown }).errors).toBeUndefined();
    });

    it('when a signed call to a subgraph holds one, then the subgraph refuses it as BAD_USER_INPUT as well', async () => {
      const res = (await signedCall(system.subgraphs.intake, 'intake', search, { s: '\u0000' })) as ErrorBody;
      expect(res.errors.map((e) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
    });
  });
});

describe('GraphQL over HTTP at the gateway in production', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startSystem(undefined, { production: true });
  });
  afterAll(() => system?.close());

  it('when the token limit is exceeded, then the 400 does not say where the limit lies', async () => {
    const query = `{ ${Array.from({ length: LIMITS.tokens }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const res = await fetch(system.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: GRAPHQL_RESPONSE },
      body: JSON.stringify({ query }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody;
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(body.errors[0].message).toMatch(/token limit/i);
    expect(body.errors[0].message).not.toContain(String(LIMITS.tokens));
  });
});
