import { corsOrigins } from '../../subgraphs/kit/cors-origins';
import { loadConfig } from '../../subgraphs/kit/config';
import { demoDatabaseUrls, startSystem, TestSystem, tokenFor, STAFF } from '../support/system';

const QUERY = JSON.stringify({ query: '{ departments { code } }' });

describe('CORS for browser apps on other origins', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startSystem(demoDatabaseUrls(), { gateway: { corsOrigins: ['https://dichvucong.khanhhoa.gov.vn', 'http://localhost:*'] } });
  });
  afterAll(() => system?.close());

  const preflight = (origin: string) => fetch(system.gatewayUrl, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });

  it('when an allowed origin asks before a POST, then the preflight allows it with the token header, without credentials', async () => {
    const res = await preflight('https://dichvucong.khanhhoa.gov.vn');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://dichvucong.khanhhoa.gov.vn');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(res.headers.get('access-control-allow-headers')?.split(',')).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-request-id']));
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('vary')).toMatch(/\bOrigin\b/);
  });

  it('when an allowed origin posts a query, then the answer carries its origin and exposes the request id', async () => {
    const res = await fetch(system.gatewayUrl, {
      method: 'POST',
      headers: { origin: 'http://localhost:5173', 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(STAFF)}` },
      body: QUERY,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(res.headers.get('access-control-expose-headers')).toContain('x-request-id');
    expect((await res.json()).data.departments.length).toBeGreaterThan(0);
  });

  it('when an origin not on the list asks or posts, then no CORS header is sent at all', async () => {
    for (const origin of ['https://evil.example', 'https://dichvucong.khanhhoa.gov.vn.evil.example', 'http://localhost.evil.example:5173']) {
      const asked = await preflight(origin);
      const posted = await fetch(system.gatewayUrl, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: QUERY });
      for (const res of [asked, posted]) {
        expect([origin, [...res.headers.keys()].filter((h) => h.startsWith('access-control-'))]).toEqual([origin, []]);
      }
    }
  });

  it('when a cross-origin GET has no preflight header, then CSRF prevention still refuses it', async () => {
    const res = await fetch(`${system.gatewayUrl}?query=${encodeURIComponent('{ departments { code } }')}`, { headers: { origin: 'http://localhost:5173' } });
    expect(res.status).toBe(400);
    expect((await res.text())).toContain('CSRF');
  });
});

describe('CORS_ORIGINS', () => {
  it('when unset, then development allows this machine on any port and production allows no origin', () => {
    expect(loadConfig({}).gateway.corsOrigins).toEqual(['http://localhost:*', 'http://127.0.0.1:*']);
    const production = { NODE_ENV: 'production', AUTH_JWKS_URL: 'https://idp.example/jwks' };
    expect(loadConfig(production).gateway.corsOrigins).toEqual([]);
    expect(loadConfig({ ...production, CORS_ORIGINS: 'https://portal.example, https://app.example:8443' }).gateway.corsOrigins)
      .toEqual(['https://portal.example', 'https://app.example:8443']);
  });

  it('when an entry is not an origin (a path, a bare star, a port out of range), then start-up names the variable and the entry', () => {
    for (const bad of ['https://a.example/app', '*', 'http://localhost:70000', 'localhost:3000']) {
      expect(() => loadConfig({ CORS_ORIGINS: `https://ok.example, ${bad}` })).toThrow(`CORS_ORIGINS: not an origin scheme://host[:port|:*]: ${bad}`);
    }
  });

  it('when the port is a star, then it matches any port of that host and scheme, and nothing else', () => {
    const allowed = corsOrigins(['http://localhost:*', 'https://portal.example']);
    expect(['http://localhost', 'http://localhost:3000', 'HTTP://LOCALHOST:8080', 'https://portal.example'].map(allowed)).toEqual([true, true, true, true]);
    expect(['https://localhost:3000', 'http://localhost:3000/x', 'http://localhost:abc', 'https://portal.example:444', 'http://portal.example'].map(allowed))
      .toEqual([false, false, false, false, false]);
  });
});
