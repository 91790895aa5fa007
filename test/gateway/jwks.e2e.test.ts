import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, exportSPKI, generateKeyPair, JWK, KeyLike, SignJWT } from 'jose';
import { Authenticate, createAuthenticator, JWKS_COOLDOWN_MS } from '../../gateway/auth';
import { committedSupergraph, createGateway, GatewayServer } from '../../gateway/gateway';
import { AuthConfig, devSigningSecret, loadConfig } from '../../subgraphs/kit/config';
import { createLogger } from '../../subgraphs/kit/logger';
import { SUBGRAPHS } from '../../subgraphs/registry';

interface SigningKey {
  kid: string;
  privateKey: KeyLike;
  jwk: JWK;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

function tokenSignedWith(key: Pick<SigningKey, 'kid' | 'privateKey'>, auth: AuthConfig, claims: Record<string, unknown> = { role: 'CENTRE_STAFF' }): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setSubject('staff-1')
    .setIssuer(auth.issuer)
    .setAudience(auth.audience)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(key.privateKey);
}

/** An identity provider's key set endpoint, publishing what the test tells it and counting each fetch. */
class KeySetServer {
  published: JWK[] = [];
  fetches = 0;
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.fetches++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: this.published }));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => 'verified',
    (e: { extensions?: { code?: string } }) => e.extensions?.code,
  );

describe('tokens verified against a remote key set (JWKS)', () => {
  const idp = new KeySetServer();
  let auth: AuthConfig;
  let keyA: SigningKey;
  let keyB: SigningKey;
  let authenticate: Authenticate;

  beforeAll(async () => {
    await idp.start();
    [keyA, keyB] = await Promise.all([signingKey('key-a'), signingKey('key-b')]);
    idp.published = [keyA.jwk];
    auth = loadConfig({ AUTH_JWKS_URL: idp.url }).auth;
    authenticate = await createAuthenticator(auth);
  });
  afterAll(async () => {
    jest.useRealTimers();
    await idp.stop();
  });

  it('when many tokens signed with the published key arrive, then each verifies and the key set is fetched once', async () => {
    expect(auth.devSecret).toBeUndefined();
    const token = await tokenSignedWith(keyA, auth);
    const first = await Promise.all(Array.from({ length: 10 }, () => authenticate(`Bearer ${token}`)));
    for (let i = 0; i < 20; i++) await authenticate(`Bearer ${token}`);
    expect(first.every((identity) => identity.role === 'CENTRE_STAFF' && identity.subject === 'staff-1')).toBe(true);
    expect(idp.fetches).toBe(1);
  });

  it('when a second authenticator is made for the same key set, then it shares the keys already fetched', async () => {
    const again = await createAuthenticator(auth);
    expect((await again(`Bearer ${await tokenSignedWith(keyA, auth)}`)).role).toBe('CENTRE_STAFF');
    expect(idp.fetches).toBe(1);
  });

  it('when the provider rotates to a new key, then its tokens verify once the cooldown since the last fetch has passed', async () => {
    // Only the clock is faked: HTTP, timers and promises stay real.
    jest.useFakeTimers({
      doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
    });
    idp.published = [keyB.jwk];
    const rotated = await tokenSignedWith(keyB, auth);
    // Within the cooldown an unknown key id does not reach the provider.
    expect(await rejection(authenticate(`Bearer ${rotated}`))).toBe('UNAUTHENTICATED');
    expect(idp.fetches).toBe(1);

    jest.setSystemTime(Date.now() + JWKS_COOLDOWN_MS + 1);
    expect((await authenticate(`Bearer ${rotated}`)).role).toBe('CENTRE_STAFF');
    expect(idp.fetches).toBe(2);
    expect((await authenticate(`Bearer ${await tokenSignedWith(keyB, auth)}`)).role).toBe('CENTRE_STAFF');
    expect(idp.fetches).toBe(2);
  });

  it('when a token names a key the set still lacks after a refetch, then it is UNAUTHENTICATED', async () => {
    const stranger = await signingKey('key-unknown');
    const token = await tokenSignedWith(stranger, auth);
    jest.setSystemTime(Date.now() + JWKS_COOLDOWN_MS + 1);
    expect(await rejection(authenticate(`Bearer ${token}`))).toBe('UNAUTHENTICATED');
    expect(idp.fetches).toBe(3);
    // Repeating it inside the new cooldown costs the provider nothing.
    for (let i = 0; i < 5; i++) expect(await rejection(authenticate(`Bearer ${token}`))).toBe('UNAUTHENTICATED');
    expect(idp.fetches).toBe(3);
  });

  it('when a token is signed by a key the provider dropped, then it is UNAUTHENTICATED', async () => {
    expect(await rejection(authenticate(`Bearer ${await tokenSignedWith(keyA, auth)}`))).toBe('UNAUTHENTICATED');
  });
});

describe('the gateway with a remote key set', () => {
  const idp = new KeySetServer();
  let auth: AuthConfig;
  let key: SigningKey;
  let gateway: GatewayServer;
  let url: string;

  beforeAll(async () => {
    await idp.start();
    key = await signingKey('gateway-key');
    idp.published = [key.jwk];
    auth = loadConfig({ AUTH_JWKS_URL: idp.url }).auth;
    gateway = await createGateway({
      // `__typename` needs no subgraph; none is started.
      subgraphUrls: Object.fromEntries(SUBGRAPHS.map((s) => [s.name, 'http://127.0.0.1:9/graphql'])),
      signingSecrets: Object.fromEntries(SUBGRAPHS.map((s) => [s.name, devSigningSecret(s.name)])),
      supergraphSdl: committedSupergraph(),
      auth,
      log: createLogger('test', 'silent'),
    });
    ({ url } = await gateway.listen(0));
  });
  afterAll(async () => {
    await gateway.close();
    await idp.stop();
  });

  const ask = (authorization: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ query: '{ __typename }' }),
    });

  it('when requests carry tokens from the provider, then they are served and the key set is fetched once for all', async () => {
    const token = await tokenSignedWith(key, auth);
    const statuses = await Promise.all(Array.from({ length: 8 }, () => ask(`Bearer ${token}`).then((r) => r.status)));
    expect(statuses).toEqual(Array(8).fill(200));
    expect(idp.fetches).toBe(1);
  });

  it('when a token names the key id the provider publishes but is signed by another key, then the request is refused as UNAUTHENTICATED', async () => {
    const res = await ask(`Bearer ${await tokenSignedWith(await signingKey('gateway-key'), auth)}`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});

describe('tokens verified with a public key file', () => {
  let dir: string;
  let file: string;
  let key: Pick<SigningKey, 'kid' | 'privateKey'>;
  let auth: AuthConfig;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'motcua-auth-'));
    file = join(dir, 'public.pem');
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    key = { kid: 'file-key', privateKey };
    writeFileSync(file, await exportSPKI(publicKey));
    auth = loadConfig({ AUTH_PUBLIC_KEY_FILE: file }).auth;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('when the key file changes after start, then tokens still verify with the key read at start', async () => {
    const authenticate = await createAuthenticator(auth);
    const token = await tokenSignedWith(key, auth);
    expect((await authenticate(`Bearer ${token}`)).role).toBe('CENTRE_STAFF');
    writeFileSync(file, 'not a key');
    expect((await authenticate(`Bearer ${token}`)).role).toBe('CENTRE_STAFF');
    // The same file read now stops a start instead of refusing every token later.
    await expect(createAuthenticator(auth)).rejects.toThrow(/SPKI/);
  });
});

describe('an identity provider that does not answer', () => {
  it('when its key set cannot be fetched, then tokens are UNAUTHENTICATED and one warning, without the token, tells the operators', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const lines: string[] = [];
    const log = createLogger('gateway', 'warn', { write: (l: string) => void lines.push(l) });
    const auth: AuthConfig = { ...loadConfig({}).auth, devSecret: undefined, jwksUrl: `http://127.0.0.1:${port}/jwks-${process.pid}` };
    const authenticate = await createAuthenticator(auth, log);
    const key = await signingKey('down-1');
    const token = await tokenSignedWith(key, auth);
    for (let i = 0; i < 3; i++) {
      await expect(authenticate(`Bearer ${token}`)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    }
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(["the identity provider's key set could not be fetched; tokens are refused"]);
    expect(lines.join('')).not.toContain(token.split('.')[1]);
  });

  it('when a token itself is bad, then nothing is logged', async () => {
    const lines: string[] = [];
    const log = createLogger('gateway', 'warn', { write: (l: string) => void lines.push(l) });
    const authenticate = await createAuthenticator(loadConfig({}).auth, log);
    await expect(authenticate('Bearer e30.e30.c2ln')).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    expect(lines).toEqual([]);
  });
});
