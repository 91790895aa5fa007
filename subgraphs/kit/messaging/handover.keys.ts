import { createHash, createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';

/** Each system's hand-over key pair: it signs what it sends with the private key; the others hold the public key. */
export interface HandoverKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

// PKCS#8 of an Ed25519 key is this prefix and the 32-byte seed (RFC 8410).
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * Known to everyone who reads this code, so usable only outside production: every process derives the same pair
 * for a system from its name, with no file to share.
 */
export function devHandoverKeys(system: string): HandoverKeyPair {
  let pair = devPairs.get(system);
  if (!pair) {
    const seed = createHash('sha256').update(`motcua-graph-development-only-handover-key-${system}`).digest();
    const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    pair = { privateKey, publicKey: createPublicKey(privateKey) };
    devPairs.set(system, pair);
  }
  return pair;
}
const devPairs = new Map<string, HandoverKeyPair>();

export const devHandoverPrivateKey = (system: string): KeyObject => devHandoverKeys(system).privateKey;
export const devHandoverPublicKey = (system: string): KeyObject => devHandoverKeys(system).publicKey;

/** A key as configured: PEM, or base64 (or base64url) of its DER (PKCS#8 private, SPKI public). Ed25519 only. */
export function parseHandoverKey(text: string, kind: 'private' | 'public'): KeyObject {
  const trimmed = text.trim();
  const pem = trimmed.startsWith('-----BEGIN');
  const key =
    kind === 'private'
      ? createPrivateKey(pem ? trimmed : { key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'pkcs8' })
      : createPublicKey(pem ? trimmed : { key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
  return key;
}

/** The key's DER in base64url: how compose:env writes it, one line in .env. */
export const exportHandoverKey = (key: KeyObject): string =>
  key.export(key.type === 'private' ? { format: 'der', type: 'pkcs8' } : { format: 'der', type: 'spki' }).toString('base64url');

export const sameKey = (a: KeyObject, b: KeyObject): boolean => exportHandoverKey(a) === exportHandoverKey(b);
