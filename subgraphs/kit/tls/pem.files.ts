import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function read(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
}

/**
 * A PEM file of one certificate or a bundle, each of them parsed now: a wrong file would otherwise be found only by
 * the first call's handshake, as a connection error that names nothing.
 */
export function readCertificates(path: string): { pem: Buffer; first: X509Certificate } {
  const pem = read(path);
  const blocks = pem.toString('utf8').match(CERTIFICATE) ?? [];
  if (!blocks.length) throw new Error(`no PEM certificate in ${path}`);
  const parsed = blocks.map((block) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw new Error(`a certificate in ${path} does not parse`);
    }
  });
  return { pem, first: parsed[0] };
}

/** An unencrypted PEM private key: a process started unattended has no one to type a passphrase. */
export function readPrivateKey(path: string): { pem: Buffer; key: KeyObject } {
  const pem = read(path);
  try {
    return { pem, key: createPrivateKey(pem) };
  } catch {
    throw new Error(`${path} is not an unencrypted PEM private key`);
  }
}
