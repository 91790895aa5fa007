import { generateKeyPairSync } from 'node:crypto';
import { loadConfig, peersOf, requireHandoverKeys } from '../../subgraphs/kit/config';
import { devHandoverKeys, exportHandoverKey } from '../../subgraphs/kit/messaging/handover.keys';
import { NonceCache, signHandover, verifyHandover } from '../../subgraphs/kit/signing';
import { envPrefix, SUBGRAPHS } from '../../subgraphs/registry';

const PROD = { NODE_ENV: 'production', AUTH_JWKS_URL: 'https://idp.example/jwks' };
const pairs = Object.fromEntries(SUBGRAPHS.map((s) => [s.name, generateKeyPairSync('ed25519')]));
/** What one subgraph's processes are given in production: its own private key, every other's public key. */
const envOf = (name: string, format: 'der' | 'pem' = 'der') => ({
  ...PROD,
  [`${envPrefix(name)}_HANDOVER_PRIVATE_KEY`]:
    format === 'pem' ? pairs[name].privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() : exportHandoverKey(pairs[name].privateKey),
  ...Object.fromEntries(SUBGRAPHS.filter((s) => s.name !== name).map((s) => [`${envPrefix(s.name)}_HANDOVER_PUBLIC_KEY`, exportHandoverKey(pairs[s.name].publicKey)])),
});

describe('hand-over keys', () => {
  it('when a system signs with its own key, then a receiver verifies it as that system, and refuses it claimed as another', async () => {
    const intake = loadConfig(envOf('intake'));
    const police = requireHandoverKeys(loadConfig(envOf('police', 'pem')), 'police');
    const body = '{}';
    const signed = (as: string) => ({ method: 'POST', path: '/handover', body, headers: signHandover(peersOf(intake).privateKey('intake'), { method: 'POST', path: '/handover', body, identity: { subject: as, role: 'SERVICE' }, requestId: 'r' }) });
    await expect(verifyHandover(police.publicKeyOf, signed('intake'), new NonceCache())).resolves.toMatchObject({ ok: true, identity: { subject: 'intake' } });
    await expect(verifyHandover(police.publicKeyOf, signed('transport'), new NonceCache())).resolves.toEqual({ ok: false, reason: 'bad signature' });
    // A system has no key for itself as a sender, nor for a name outside the registry.
    expect(police.publicKeyOf('police')).toBeUndefined();
    expect(police.publicKeyOf('outsider')).toBeUndefined();
  });

  it('when production lacks a key, then the subgraph cannot start, naming each one missing', () => {
    const env: Record<string, string> = envOf('postal');
    delete env.POSTAL_HANDOVER_PRIVATE_KEY;
    delete env.POLICE_HANDOVER_PUBLIC_KEY;
    expect(() => requireHandoverKeys(loadConfig(env), 'postal')).toThrow('POSTAL_HANDOVER_PRIVATE_KEY, POLICE_HANDOVER_PUBLIC_KEY required in production');
  });

  it('when production is given a development key or something that is no Ed25519 key, then loading fails naming the variable', () => {
    expect(() => loadConfig({ ...envOf('intake'), INTAKE_HANDOVER_PRIVATE_KEY: exportHandoverKey(devHandoverKeys('intake').privateKey) })).toThrow(
      'INTAKE_HANDOVER_PRIVATE_KEY: the development key, not allowed in production',
    );
    expect(() => loadConfig({ ...envOf('intake'), POLICE_HANDOVER_PUBLIC_KEY: exportHandoverKey(devHandoverKeys('police').publicKey) })).toThrow(
      'POLICE_HANDOVER_PUBLIC_KEY: the development key, not allowed in production',
    );
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(() => loadConfig({ ...envOf('intake'), POLICE_HANDOVER_PUBLIC_KEY: rsa })).toThrow('POLICE_HANDOVER_PUBLIC_KEY: not an Ed25519 public key');
  });

  it('when outside production nothing is set, then every process derives the same development pair per system, a different one for each', () => {
    const a = loadConfig({});
    const b = loadConfig({});
    expect(exportHandoverKey(a.subgraphs.police.handoverPublicKey!)).toBe(exportHandoverKey(b.subgraphs.police.handoverPublicKey!));
    expect(new Set(SUBGRAPHS.map((s) => exportHandoverKey(a.subgraphs[s.name].handoverPublicKey!))).size).toBe(SUBGRAPHS.length);
  });
});
