import { createHash, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { createGateway, GatewayServer } from '../../gateway/gateway';
import { devSigningSecret, loadConfig } from '../../subgraphs/kit/config';
import { devHandoverPrivateKey } from '../../subgraphs/kit/messaging/handover.keys';
import { createLogger } from '../../subgraphs/kit/logger';
import { signHandover } from '../../subgraphs/kit/signing';
import { SUBGRAPHS } from '../../subgraphs/registry';
import { postGraphQL, startSystem, TestSystem, tokenFor } from '../support/system';

const auth = loadConfig({}).auth;
const RB = { subject: 'rb', role: 'REPORT_BUILDER' } as const;

/** A token as an identity provider might issue it: `iat` and `exp` as given, seconds from now. */
function tokenIssued(iatFromNow: number | null, expFromNow: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ role: 'CENTRE_STAFF' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('staff-1')
    .setIssuer(auth.issuer)
    .setAudience(auth.audience)
    .setExpirationTime(now + expFromNow);
  if (iatFromNow !== null) jwt.setIssuedAt(now + iatFromNow);
  return jwt.sign(new TextEncoder().encode(auth.devSecret!));
}

describe('what the gateway and the subgraphs let out', () => {
  let system: TestSystem;
  const base = () => system.gatewayUrl.replace(/\/graphql$/, '');
  beforeAll(async () => {
    system = await startSystem();
  });
  afterAll(() => system?.close());

  describe('tokens', () => {
    const asked = async (token: string) => postGraphQL(system.gatewayUrl, '{ departments { code } }', undefined, token);

    it('when a token was issued longer ago than 12 hours, then it is refused though it has not expired', async () => {
      const old = await asked(await tokenIssued(-13 * 3600, 3600));
      expect(old.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(old.data ?? null).toBeNull();
      const recent = await asked(await tokenIssued(-11 * 3600, 3600));
      expect(recent.errors).toBeUndefined();
    });

    it('when a token carries no issue time, then it is refused', async () => {
      expect((await asked(await tokenIssued(null, 3600))).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    });

    it('when the report exports get an old token, then they refuse it too', async () => {
      const res = await fetch(`${base()}/reports/monthly.csv?from=2020-04-01&to=2020-04-30`, { headers: { authorization: `Bearer ${await tokenIssued(-13 * 3600, 3600)}` } });
      expect(res.status).toBe(401);
    });
  });

  describe('automatic persisted queries', () => {
    const QUERY = '{ departments { code } }';
    const persisted = { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(QUERY).digest('hex') } };
    const post = (url: string, body: object) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json() }));

    it('when a caller registers a document by its hash, then nothing is stored: the hash alone runs nothing', async () => {
      const registering = await post(system.gatewayUrl, { query: QUERY, extensions: persisted });
      expect(registering.body.data ?? null).toBeNull();
      expect(registering.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
      const byHash = await post(system.gatewayUrl, { extensions: persisted });
      expect(byHash.body.data ?? null).toBeNull();
      expect(byHash.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
    });

    it('when persisted queries are switched on, then a registered hash runs', async () => {
      const gateway: GatewayServer = await createGateway({
        subgraphUrls: system.urls && Object.fromEntries(Object.entries(system.subgraphs).map(([n, s]) => [n, s.url])),
        signingSecrets: Object.fromEntries(SUBGRAPHS.map((s) => [s.name, devSigningSecret(s.name)])),
        auth,
        persistedQueries: true,
        log: createLogger('test', 'silent'),
      });
      try {
        const { url } = await gateway.listen(0);
        expect((await post(url, { extensions: persisted })).body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
        expect((await post(url, { query: QUERY, extensions: persisted })).body.errors).toBeUndefined();
        expect((await post(url, { extensions: persisted })).body.data.departments.length).toBeGreaterThan(0);
      } finally {
        await gateway.close();
      }
    });
  });

  describe('exports', () => {
    it('when a report of an open period is exported, or refused, then no cache may keep it', async () => {
      const token = await tokenFor(RB);
      for (const format of ['csv', 'xlsx']) {
        const res = await fetch(`${base()}/reports/monthly.${format}?from=2020-04-01&to=2020-04-30`, { headers: { authorization: `Bearer ${token}` } });
        expect(res.status).toBe(200);
        expect(res.headers.get('cache-control')).toBe('no-store');
      }
      const refused = await fetch(`${base()}/reports/monthly.csv?from=2020-04-01`);
      expect(refused.status).toBe(400);
      expect(refused.headers.get('cache-control')).toBe('no-store');
    });
  });

  describe('NUL characters', () => {
    it('when an export\'s query string carries a NUL, then the answer is 400 BAD_USER_INPUT, not a 500', async () => {
      const token = await tokenFor(RB);
      for (const q of ['from=2020-04-01%00&to=2020-04-30', 'from=2020-04-01&to=2020-04-30&departmentCode=CAT%00']) {
        const res = await fetch(`${base()}/reports/monthly.csv?${q}`, { headers: { authorization: `Bearer ${token}` } });
        expect([res.status, (await res.json()).code]).toEqual([400, 'BAD_USER_INPUT']);
      }
    });

    it('when a hand-over carries a NUL, then the receiver answers 400, not a 500', async () => {
      const body = JSON.stringify({ id: randomUUID(), source: 'intake', type: 'WITHDRAWN', dossierCode: '000.00.16.H56-200401-0001\u0000', payload: { at: new Date().toISOString() } });
      const police = system.subgraphs.police.url.replace(/\/graphql$/, '/handover');
      const headers = signHandover(devHandoverPrivateKey('intake'), { method: 'POST', path: '/handover', body, identity: { subject: 'intake', role: 'SERVICE' }, requestId: randomUUID() });
      const res = await fetch(police, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      expect(res.status).toBe(400);
    });

    it('when the GraphQL query string (GET) carries a NUL, then the answer is BAD_USER_INPUT, not a 500', async () => {
      const res = await fetch(`${system.gatewayUrl}?query=${encodeURIComponent('{ dossier(code: "A\u0000") { code } }')}`, { headers: { 'apollo-require-preflight': 'true' } });
      expect(res.status).toBeLessThan(500);
      expect((await res.json()).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    });
  });

  describe('a department\'s narrative', () => {
    const NARRATIVE = `query($d: String) { report(from: "2020-04-01", to: "2020-04-30", departmentCode: $d) { vi: narrative en: narrative(language: EN) ratings { total } } }`;

    it('when a department\'s report is written, then its paragraph carries no centre-wide ratings; the centre\'s does', async () => {
      const centre = (await system.query(NARRATIVE, { d: null }, RB)).data.report;
      expect(centre.ratings.total).toBeGreaterThan(0);
      expect(centre.vi).toContain('lượt người dân, tổ chức đánh giá');
      expect(centre.en).toContain("rated the centre's staff");
      const department = (await system.query(NARRATIVE, { d: 'CAT' }, RB)).data.report;
      expect(department.vi).toContain('(hồ sơ của');
      expect(department.vi).not.toContain('đánh giá');
      expect(department.en).not.toContain('rated');
    });
  });
});
