import { readFileSync } from 'node:fs';
import { GraphQLError } from 'graphql';
import { createRemoteJWKSet, errors, importPKCS8, importSPKI, KeyLike, JWTPayload, jwtVerify, JWTVerifyOptions, SignJWT } from 'jose';
import type { Logger } from '../subgraphs/kit/logger';
import type { AuthConfig } from '../subgraphs/kit/config';
import { ANONYMOUS, Identity, parseIdentity } from '../subgraphs/kit/identity';

export type Authenticate = (authorization: string | undefined) => Promise<Identity>;

const unauthenticated = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });

/**
 * How soon after fetching the key set a token naming a key it lacks may fetch it again: a key rotated in at the
 * identity provider is picked up on its first token, while tokens with made-up key ids cannot make every
 * gateway hammer the provider.
 */
export const JWKS_COOLDOWN_MS = 30_000;
/** How long a fetched key set is used before it is fetched again, unknown key ids aside. */
export const JWKS_MAX_AGE_MS = 10 * 60_000;

type KeySet = ReturnType<typeof createRemoteJWKSet>;

// One per URL for the process: each set caches its keys and coalesces concurrent fetches, which only works
// if every verification asks the same one.
const keySets = new Map<string, KeySet>();

function remoteKeySet(url: string): KeySet {
  let set = keySets.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), { cooldownDuration: JWKS_COOLDOWN_MS, cacheMaxAge: JWKS_MAX_AGE_MS });
    keySets.set(url, set);
  }
  return set;
}

type Verify = (token: string) => Promise<{ payload: JWTPayload }>;

/** A refusal caused by the token itself, as opposed to the key set failing to arrive (timeout, network, not 200). */
function tokenAtFault(e: unknown): boolean {
  if (!(e instanceof errors.JOSEError)) return false;
  return !(e instanceof errors.JWKSTimeout || e instanceof errors.JWKSInvalid || e.code === 'ERR_JOSE_GENERIC');
}

/** The keys are made ready here, once: a key file that cannot be read or parsed stops the start. */
async function verifier(auth: AuthConfig): Promise<Verify> {
  // A stolen token is good for its lifetime at most, however far off the identity provider set its expiry.
  const options: JWTVerifyOptions = {
    issuer: auth.issuer,
    audience: auth.audience,
    requiredClaims: ['exp', 'iat', 'sub'],
    maxTokenAge: auth.maxTokenAgeSeconds,
  };
  if (auth.jwksUrl) {
    const keys = remoteKeySet(auth.jwksUrl);
    return (token) => jwtVerify(token, keys, options);
  }
  if (auth.publicKeyFile) {
    const key = await importSPKI(readFileSync(auth.publicKeyFile, 'utf8'), auth.publicKeyAlgorithm);
    const withAlgorithm = { ...options, algorithms: [auth.publicKeyAlgorithm] };
    return (token) => jwtVerify(token, key, withAlgorithm);
  }
  if (auth.devSecret) {
    const secret = new TextEncoder().encode(auth.devSecret);
    const hs256 = { ...options, algorithms: ['HS256'] };
    return (token) => jwtVerify(token, secret, hs256);
  }
  throw new Error('no key configured to verify tokens: set AUTH_JWKS_URL or AUTH_PUBLIC_KEY_FILE');
}

/**
 * Verifies `Authorization: Bearer <JWT>` (issuer, audience, expiry, age, signature) with the keys configured:
 * a JWKS URL or a public key file, or an HS256 secret in development. No header: the anonymous caller,
 * who sees public data only. A header that does not verify is refused, never downgraded to anonymous.
 */
export async function createAuthenticator(auth: AuthConfig, log?: Logger): Promise<Authenticate> {
  const verify = await verifier(auth);
  let reportedAt = -Infinity;
  return async (authorization) => {
    if (authorization === undefined || authorization === '') return ANONYMOUS;
    const m = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(authorization);
    if (!m) throw unauthenticated('the Authorization header must be "Bearer <JWT>"');
    let payload: JWTPayload;
    try {
      ({ payload } = await verify(m[1]));
    } catch (e) {
      // Every token is refused while the key set cannot be fetched: the operators must hear of it (once a cooldown).
      if (!tokenAtFault(e) && Date.now() - reportedAt > JWKS_COOLDOWN_MS) {
        reportedAt = Date.now();
        log?.warn({ type: (e as Error)?.constructor?.name, code: (e as { code?: string })?.code }, "the identity provider's key set could not be fetched; tokens are refused");
      }
      throw unauthenticated('the token is not valid: wrong signature, issuer or audience, expired, or issued too long ago');
    }
    const identity = parseIdentity({
      subject: payload.sub,
      role: payload.role,
      department: payload.department,
      citizenId: payload.citizenId,
    });
    if (!identity || identity.role === 'ANONYMOUS') throw unauthenticated('the token carries no valid role');
    return identity;
  };
}

/** A development token, signed with the development secret. */
export function developmentToken(auth: AuthConfig, identity: Identity, ttl = '12h'): Promise<string> {
  if (!auth.devSecret) throw new Error('no development secret: tokens come from the identity provider here');
  return sign(auth, identity, ttl, 'HS256', new TextEncoder().encode(auth.devSecret));
}

/**
 * A token signed with a private key (PKCS#8 PEM), for a stack whose gateway verifies the matching public key
 * and has no identity provider yet: the key pair `npm run compose:env` writes.
 */
export async function keySignedToken(auth: AuthConfig, identity: Identity, privateKeyPem: string, ttl = '12h'): Promise<string> {
  return sign(auth, identity, ttl, auth.publicKeyAlgorithm, await importPKCS8(privateKeyPem, auth.publicKeyAlgorithm));
}

function sign(auth: AuthConfig, identity: Identity, ttl: string, alg: string, key: KeyLike | Uint8Array): Promise<string> {
  const { subject, ...claims } = identity;
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg })
    .setSubject(subject)
    .setIssuer(auth.issuer)
    .setAudience(auth.audience)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(key);
}
