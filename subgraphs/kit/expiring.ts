/**
 * Drops the expired entries of a map whose entries all live equally long: insertion order is then expiry
 * order, so they are at the front and the first live one ends the walk (constant time per call, however full).
 */
export function forgetExpired<K, V>(entries: Map<K, V>, now: number, expiry: (value: V) => number): void {
  for (const [key, value] of entries) {
    if (expiry(value) >= now) break;
    entries.delete(key);
  }
}
