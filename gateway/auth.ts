import { readFileSync } from 'node:fs';
import { GraphQLError } from 'graphql';
import { createRemoteJWKSet, importSPKI, JWTPayload, jwtVerify, SignJWT } from 'jose';
import type { AuthConfig } from '../subgraphs/kit/config';
import { ANONYMOUS, Identity, parseIdentity } from '../subgraphs/kit/identity';

export type Authenticate = (authorization: string | undefined) => Promise<Identity>;

const unauthenticated = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });

/**
 * Verifies `Authorization: Bearer <JWT>` (issuer, audience, expiry, signature) with the keys configured:
 * a JWKS URL or a public key file, or an HS256 secret in development. No header: the anonymous caller,
 * who sees public data only. A header that does not verify is refused, never downgraded to anonymous.
 */
export async function createAuthenticator(auth: AuthConfig): Promise<Authenticate> {
  const verifyWith = async (token: string) => {
    const options = { issuer: auth.issuer, audience: auth.audience, requiredClaims: ['exp', 'sub'] };
    if (auth.jwksUrl) return jwtVerify(token, createRemoteJWKSet(new URL(auth.jwksUrl)), options);
    if (auth.publicKeyFile) {
      const key = await importSPKI(readFileSync(auth.publicKeyFile, 'utf8'), auth.publicKeyAlgorithm);
      return jwtVerify(token, key, { ...options, algorithms: [auth.publicKeyAlgorithm] });
    }
    if (auth.devSecret) return jwtVerify(token, new TextEncoder().encode(auth.devSecret), { ...options, algorithms: ['HS256'] });
    throw new Error('no key configured to verify tokens');
  };
  return async (authorization) => {
    if (authorization === undefined || authorization === '') return ANONYMOUS;
    const m = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(authorization);
    if (!m) throw unauthenticated('the Authorization header must be "Bearer <JWT>"');
    let payload: JWTPayload;
    try {
      ({ payload } = await verifyWith(m[1]));
    } catch {
      throw unauthenticated('the token is not valid: wrong signature, issuer or audience, or expired');
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
  const { subject, ...claims } = identity;
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(subject)
    .setIssuer(auth.issuer)
    .setAudience(auth.audience)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(new TextEncoder().encode(auth.devSecret));
}
