import { randomUUID } from 'node:crypto';
import { NonceCache, NonceStore, signRequest, verifyRequest } from '../../subgraphs/kit/signing';

describe('the nonce cache behind replay refusal', () => {
  it('when a nonce is offered twice within its lifetime, then only the first is accepted', () => {
    const nonces = new NonceCache(1000);
    expect(nonces.claim('a', 0)).toBe(true);
    expect(nonces.claim('a', 999)).toBe(false);
    expect(nonces.claim('b', 999)).toBe(true);
  });

  it('when its lifetime has passed, then the nonce is forgotten and the cache shrinks', () => {
    const nonces = new NonceCache(1000);
    for (let i = 0; i < 100; i++) nonces.claim(`n${i}`, i);
    expect(nonces.claim('n0', 1001)).toBe(true);
    expect(nonces.claim('n99', 1001)).toBe(false);
    nonces.claim('late', 5000);
    expect(nonces.size).toBe(1);
    expect(nonces.claim('n99', 5000)).toBe(true);
  });
});

describe('a nonce store that cannot answer', () => {
  const SECRET = 'a-secret-the-two-ends-share';
  const body = JSON.stringify({ query: '{ __typename }' });
  const signed = () => signRequest(SECRET, { method: 'POST', path: '/graphql', body, identity: { subject: 's', role: 'CENTRE_STAFF' }, requestId: randomUUID() });
  const down: NonceStore = { claim: () => Promise.reject(new Error('connection refused')) };

  it('when a correctly signed call meets it, then the call is refused as unavailable, not as a replay, and the store\'s error goes no further', async () => {
    const verdict = await verifyRequest(SECRET, { method: 'POST', path: '/graphql', body, headers: signed() }, down);
    expect(verdict).toEqual({ ok: false, reason: 'nonce store unavailable', unavailable: true });
  });

  it('when a call is not signed, then the store is not asked at all', async () => {
    let asked = 0;
    const counting: NonceStore = { claim: () => (asked++, true) };
    const headers = { ...signed(), 'x-motcua-signature': '0'.repeat(64) };
    expect(await verifyRequest(SECRET, { method: 'POST', path: '/graphql', body, headers }, counting)).toEqual({ ok: false, reason: 'bad signature' });
    expect(asked).toBe(0);
    expect(await verifyRequest(SECRET, { method: 'POST', path: '/graphql', body, headers: signed() }, counting)).toMatchObject({ ok: true });
    expect(asked).toBe(1);
  });
});
