import { NonceCache } from '../../subgraphs/kit/signing';

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
