import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { badUserInput, conflict } from '../errors';
import type { Identity } from '../identity';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Runs a mutation once per idempotency key: the same key with the same input gives back the first
 * result (re-read, so it is current) without doing anything again; the same key with another input is a
 * CONFLICT. Keys are per caller and per operation. Runs inside the mutation's transaction.
 */
export async function onceFor<R, Ref>(
  m: EntityManager,
  who: Identity,
  key: string | null | undefined,
  operation: string,
  input: unknown,
  run: () => Promise<{ result: R; ref: Ref }>,
  reload: (ref: Ref) => Promise<R>,
): Promise<R> {
  if (key == null) return (await run()).result;
  if (!/^[A-Za-z0-9._:-]{8,100}$/.test(key)) {
    throw badUserInput('idempotencyKey must be 8 to 100 letters, digits or ._:-', { field: 'idempotencyKey' });
  }
  // Kept whole, hashed to a fixed width; the migration hashed the stored `subject|key`s the same way.
  const scopedKey = sha256(`${who.subject}|${key}`);
  const hash = sha256(JSON.stringify(input));
  const claimed = await m.query(
    `INSERT INTO idempotency_key (key, operation, subject, request_hash, response) VALUES ($1, $2, $3, $4, 'null')
     ON CONFLICT DO NOTHING RETURNING key`,
    [scopedKey, operation, who.subject, hash],
  );
  if (claimed.length === 0) {
    const [first] = await m.query(`SELECT request_hash AS hash, response FROM idempotency_key WHERE key = $1 AND operation = $2`, [scopedKey, operation]);
    if (first.hash !== hash) throw conflict('this idempotencyKey was used with a different input', { field: 'idempotencyKey' });
    return reload(first.response as Ref);
  }
  const { result, ref } = await run();
  await m.query(`UPDATE idempotency_key SET response = $3 WHERE key = $1 AND operation = $2`, [scopedKey, operation, JSON.stringify(ref)]);
  return result;
}
