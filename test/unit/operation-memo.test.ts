import { OperationMemo } from '../../subgraphs/kit/operation-memo';

describe('the per-operation memo', () => {
  it('when a value is asked for within its lifetime, then the same promise comes back; after it, none', () => {
    const memo = new OperationMemo<number>(1000, 10);
    const value = Promise.resolve(1);
    memo.set('op-1|k', value, 0);
    expect(memo.get('op-1|k', 999)).toBe(value);
    expect(memo.get('op-1|k', 1001)).toBeUndefined();
    expect(memo.get('op-2|k', 10)).toBeUndefined();
  });

  it('when it is full of live entries, then new ones are not remembered (computed again) and none is lost early', () => {
    const memo = new OperationMemo<number>(1000, 3);
    for (let i = 0; i < 5; i++) memo.set(`k${i}`, Promise.resolve(i), i);
    expect(['k0', 'k1', 'k2'].every((k) => memo.get(k, 10) !== undefined)).toBe(true);
    expect(memo.get('k3', 10)).toBeUndefined();
    memo.set('k5', Promise.resolve(5), 1500);
    expect(memo.get('k5', 1500)).toBeDefined();
    expect(memo.get('k0', 1500)).toBeUndefined();
  });

  it('when a computation fails, then it is not remembered', async () => {
    const memo = new OperationMemo<number>();
    const failing = Promise.reject(new Error('database down'));
    memo.set('k', failing);
    await expect(failing).rejects.toThrow('database down');
    expect(memo.get('k')).toBeUndefined();
  });
});
