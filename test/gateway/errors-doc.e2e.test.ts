import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Identity } from '../../subgraphs/kit/identity';
import { startSystem, STAFF, TestSystem, tokenFor } from '../support/system';

/** Each example of docs/errors.md: who calls, the status and the answer it promises. */
interface Example {
  as: string;
  status: number;
  option?: string;
  query: string;
  answer?: string;
}

const DOC = readFileSync(join(__dirname, '../../docs/errors.md'), 'utf8');
const EXAMPLES: Example[] = [...DOC.matchAll(/<!-- example as=(\w+) status=(\d+)(?: ([\w=-]+))? -->\n```graphql\n([\s\S]*?)\n```\n(?:```json\n([\s\S]*?)\n```)?/g)]
  .map((m) => ({ as: m[1], status: Number(m[2]), option: m[3], query: m[4], answer: m[5] }));

const CALLERS: Record<string, Identity | null> = {
  CENTRE_STAFF: STAFF,
  CITIZEN: { subject: 'citizen-doc', role: 'CITIZEN', citizenId: '056080001234' },
  ANONYMOUS: null,
};

const withoutRequestIds = (body: any) => JSON.parse(JSON.stringify(body), (k, v) => (k === 'requestId' ? '…' : v));

describe('docs/errors.md', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startSystem(undefined, { gateway: { rateLimits: { perRole: {}, receiptPerMinute: 2 } } });
  });
  afterAll(async () => {
    await system.gateway.close();
    await Promise.all(Object.entries(system.subgraphs).filter(([n]) => n !== 'transport').map(([, s]) => s.server.close()));
  });

  const call = async (e: Example) => {
    const token = e.as === 'INVALID_TOKEN' ? 'not-a-jwt' : CALLERS[e.as] ? await tokenFor(CALLERS[e.as]!) : undefined;
    if (CALLERS[e.as] === undefined && e.as !== 'INVALID_TOKEN') throw new Error(`docs/errors.md: no caller ${e.as}`);
    return fetch(system.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: e.query }),
    });
  };

  it('when its examples are read, then there is one for every code a client must handle', () => {
    const codes = EXAMPLES.map((e) => (e.answer ? JSON.parse(e.answer).errors[0].extensions.code : 'RATE_LIMITED'));
    expect(codes.sort()).toEqual(['BAD_USER_INPUT', 'CALENDAR_MISSING', 'CONFLICT', 'FORBIDDEN', 'GRAPHQL_VALIDATION_FAILED', 'NOT_FOUND', 'RATE_LIMITED', 'UNAUTHENTICATED', 'UNAVAILABLE']);
  });

  // The examples that stop a system run last: after them, that system is gone for this file.
  for (const e of [...EXAMPLES].sort((a, b) => Number(a.option?.startsWith('stop=') ?? false) - Number(b.option?.startsWith('stop=') ?? false))) {
    it(`when "${e.query.slice(0, 70)}" is sent as ${e.as}, then the answer is the one the document shows`, async () => {
      if (e.option?.startsWith('stop=')) await system.subgraphs[e.option.slice(5)].server.close();
      if (e.option === 'after=receipt-limit') {
        for (let i = 0; i < 2; i++) expect((await call(e)).status).toBe(200);
        const limited = await call(e);
        expect(limited.status).toBe(e.status);
        expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
        expect((await limited.json()).errors[0].extensions.code).toBe('RATE_LIMITED');
        return;
      }
      const res = await call(e);
      expect(res.status).toBe(e.status);
      expect(withoutRequestIds(await res.json())).toEqual(JSON.parse(e.answer!));
    });
  }
});
