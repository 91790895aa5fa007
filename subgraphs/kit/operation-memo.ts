import { forgetExpired } from './expiring';

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
    private readonly max = 5_000,
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

  /** Remembers a value unless the memo is full of live entries: then it is simply computed again later. */
  set(key: string, value: Promise<T>, now = Date.now()): void {
    forgetExpired(this.entries, now, (e) => e.expires);
    if (this.entries.size >= this.max) return;
    const entry = { value, expires: now + this.ttlMs };
    this.entries.set(key, entry);
    // A failed computation is not remembered (unless the key was set again since).
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
  }
}
