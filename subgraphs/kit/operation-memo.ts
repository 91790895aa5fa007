/**
 * Values computed for one gateway operation, kept for the other hops of the same operation (the gateway signs
 * its request id into every hop): the register's report figures are needed when it lists the departments and
 * again when it adds up their systems' figures. Reusing them gives both hops one snapshot. Another replica
 * simply computes them again; entries live a few seconds and the memo holds a bounded number.
 */
export class OperationMemo<T> {
  private readonly entries = new Map<string, { value: Promise<T>; expires: number }>();

  constructor(
    private readonly ttlMs = 10_000,
    private readonly max = 1_000,
  ) {}

  get(key: string, now = Date.now()): Promise<T> | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires < now) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: Promise<T>, now = Date.now()): void {
    // One lifetime for all, so insertion order is expiry order: the oldest are at the front.
    for (const [k, e] of this.entries) {
      if (e.expires >= now && this.entries.size < this.max) break;
      this.entries.delete(k);
    }
    this.entries.set(key, { value, expires: now + this.ttlMs });
    // A failed computation is not remembered.
    value.catch(() => this.entries.delete(key));
  }
}
