import fc from 'fast-check';
import { retryDelayMs } from '../../subgraphs/kit/messaging/delivery/destination.lane';

describe('hand-over retry backoff', () => {
  it('when a message has failed n times, then its next attempt waits between half and all of min(cap, 250 ms x 2^n)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000 }), fc.integer({ min: 1_000, max: 120_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (n, cap, r) => {
        const ceiling = Math.min(cap, 250 * 2 ** Math.min(n, 20));
        const wait = retryDelayMs(n, cap, () => r);
        return wait >= Math.floor(ceiling / 2) && wait <= ceiling;
      }),
    );
  });

  it('when failures go on, then the wait never passes the cap, so a receiver back gets every message within one cap', () => {
    expect(retryDelayMs(0, 30_000, () => 0.999)).toBe(250);
    expect(retryDelayMs(3, 30_000, () => 0)).toBe(1_000);
    expect(retryDelayMs(24, 30_000, () => 0.999)).toBeLessThanOrEqual(30_000);
    expect(retryDelayMs(24, 30_000, () => 0)).toBe(15_000);
  });
});
