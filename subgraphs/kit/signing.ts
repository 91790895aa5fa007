import { createHash, createHmac, KeyObject, randomUUID, sign, timingSafeEqual, verify } from 'node:crypto';
import { forgetExpired } from './expiring';
import { Identity, parseIdentity } from './identity';

/**
 * The signed envelope of every call between systems (gateway → subgraph, and hand-overs between
 * subgraphs): HMAC-SHA256 over method, path, timestamp, nonce, request id, the body's hash and the
 * caller's identity. The gateway signs with an HMAC secret that only it and the subgraph share; a system handing
 * over to another signs the same envelope with its own Ed25519 private key, and the receiver verifies with that
 * sender's public key, chosen by the identity the call claims: no system can sign as another.
 *
 * The W3C trace context (`traceparent`, `tracestate`), when a call carries it, is covered too: a subgraph
 * continues the trace it names and samples as it says, so, like every header it acts on, it must come from
 * the gateway unaltered. A call without one signs exactly as before. (A proxy between the systems that
 * rewrites `traceparent`, as some service meshes do, must be told to pass it through.)
 */
export const HEADER = {
  identity: 'x-motcua-identity',
  timestamp: 'x-motcua-timestamp',
  nonce: 'x-motcua-nonce',
  signature: 'x-motcua-signature',
  requestId: 'x-request-id',
} as const;

const TRACE_HEADERS = ['traceparent', 'tracestate'] as const;
type TraceHeaders = Partial<Record<(typeof TRACE_HEADERS)[number], string>>;

export const MAX_AGE_MS = 60_000;

interface Signable {
  method: string;
  path: string;
  body: string | Buffer;
  identity: string;
  timestamp: string;
  nonce: string;
  requestId: string;
  trace?: TraceHeaders;
}

/** The text both kinds of signature cover. */
function envelope(s: Signable): string {
  const bodyHash = createHash('sha256').update(s.body).digest('hex');
  const lines = [s.method.toUpperCase(), s.path, s.timestamp, s.nonce, s.requestId, bodyHash, s.identity];
  for (const name of TRACE_HEADERS) if (s.trace?.[name] !== undefined) lines.push(`${name}:${s.trace[name]}`);
  return lines.join('\n');
}

const mac = (secret: string, s: Signable): Buffer => createHmac('sha256', secret).update(envelope(s)).digest();

type Request = { method: string; path: string; body: string; identity: Identity; requestId: string; trace?: TraceHeaders };

function signWith(signature: (s: Signable) => Buffer, r: Request, now: number): Record<string, string> {
  const signable: Signable = {
    ...r,
    identity: Buffer.from(JSON.stringify(r.identity)).toString('base64url'),
    timestamp: String(now),
    // 122 random bits from Node's buffered pool: a getrandom call per subgraph call was 5% of the gateway's CPU.
    nonce: randomUUID().replaceAll('-', ''),
  };
  return {
    ...r.trace,
    [HEADER.identity]: signable.identity,
    [HEADER.timestamp]: signable.timestamp,
    [HEADER.nonce]: signable.nonce,
    [HEADER.requestId]: r.requestId,
    [HEADER.signature]: signature(signable).toString('hex'),
  };
}

/** Gateway → subgraph: HMAC-SHA256 with the secret the two share. */
export function signRequest(secret: string, r: Request, now = Date.now()): Record<string, string> {
  return signWith((s) => mac(secret, s), r, now);
}

/** System → system (hand-overs): Ed25519 with the sending system's own private key. */
export function signHandover(privateKey: KeyObject, r: Request, now = Date.now()): Record<string, string> {
  return signWith((s) => sign(null, Buffer.from(envelope(s)), privateKey), r, now);
}

/**
 * `unavailable`: the nonce store did not answer, so the call, perhaps sound, cannot be told from a replay. It is
 * refused all the same; the store has said so once for the outage, and the call is worth retrying.
 */
export type Verdict = { ok: true; identity: Identity; requestId: string } | { ok: false; reason: string; unavailable?: true };

/**
 * Where a service remembers the nonces it has seen for as long as a signature lives: shared by all replicas of
 * the service (kit/replay), so a call replayed to another replica, or after a restart, is refused.
 */
export interface NonceStore {
  /** True the first time a nonce is offered; throws (or rejects) when the store cannot tell. */
  claim(nonce: string, now?: number): boolean | Promise<boolean>;
}

/** Nonces seen within the signature's lifetime, in this process only: a replayed request is refused. */
export class NonceCache implements NonceStore {
  private readonly seen = new Map<string, number>();
  constructor(private readonly ttlMs = MAX_AGE_MS * 2) {}
  get size(): number {
    return this.seen.size;
  }

  /** True the first time a nonce is offered. */
  claim(nonce: string, now = Date.now()): boolean {
    forgetExpired(this.seen, now, (expiry) => expiry);
    if (this.seen.has(nonce)) return false;
    this.seen.set(nonce, now + this.ttlMs);
    return true;
  }
}

type Received = { method: string; path: string; body: Buffer | string; headers: Record<string, string | string[] | undefined> };

/** Gateway → subgraph: the HMAC the gateway signed with `secret`. */
export function verifyRequest(secret: string, r: Received, nonces: NonceStore, now = Date.now()): Promise<Verdict> {
  return verifyWith(
    (signed, signature) => signature.length === 32 && timingSafeEqual(createHmac('sha256', secret).update(signed).digest(), signature),
    r,
    nonces,
    now,
  );
}

/**
 * System → system: an Ed25519 signature by the system the identity names, checked with its public key
 * (`publicKeyOf` answers none for a name that is no sender here). A call signed with any other key is refused.
 */
export function verifyHandover(publicKeyOf: (system: string) => KeyObject | undefined, r: Received, nonces: NonceStore, now = Date.now()): Promise<Verdict> {
  return verifyWith(
    (signed, signature, identity) => {
      const key = publicKeyOf(identity.subject);
      return key !== undefined && signature.length === 64 && verify(null, Buffer.from(signed), key, signature);
    },
    r,
    nonces,
    now,
  );
}

async function verifyWith(
  check: (signed: string, signature: Buffer, identity: Identity) => boolean,
  r: Received,
  nonces: NonceStore,
  now: number,
): Promise<Verdict> {
  const h = (name: string) => {
    const v = r.headers[name];
    return Array.isArray(v) ? undefined : v;
  };
  const [identity, timestamp, nonce, signature, requestId] = [
    h(HEADER.identity), h(HEADER.timestamp), h(HEADER.nonce), h(HEADER.signature), h(HEADER.requestId),
  ];
  if (!identity || !timestamp || !nonce || !signature || !requestId) return { ok: false, reason: 'unsigned' };
  if (!/^\d{13}$/.test(timestamp) || Math.abs(now - Number(timestamp)) > MAX_AGE_MS) return { ok: false, reason: 'stale' };
  if (!/^[0-9a-f]{32}$/.test(nonce) || !/^(?:[0-9a-f]{2}){32,64}$/.test(signature)) return { ok: false, reason: 'malformed' };
  const trace: TraceHeaders = {};
  for (const name of TRACE_HEADERS) {
    const value = r.headers[name];
    // Sent twice, a header arrives joined or as a list: either way not what was signed.
    if (value !== undefined) trace[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  // Read before the signature is checked only to choose the key: nothing in it is trusted until then.
  let parsed: Identity | null = null;
  try {
    parsed = parseIdentity(JSON.parse(Buffer.from(identity, 'base64url').toString('utf8')));
  } catch {
    parsed = null;
  }
  if (!parsed) return { ok: false, reason: 'bad identity' };
  const signed = envelope({ method: r.method, path: r.path, body: r.body, identity, timestamp, nonce, requestId, trace });
  if (!check(signed, Buffer.from(signature, 'hex'), parsed)) return { ok: false, reason: 'bad signature' };
  let fresh: boolean;
  try {
    fresh = await nonces.claim(nonce, now);
  } catch {
    return { ok: false, reason: 'nonce store unavailable', unavailable: true };
  }
  if (!fresh) return { ok: false, reason: 'replayed' };
  return { ok: true, identity: parsed, requestId };
}
