import type { DataSource } from 'typeorm';
import { enqueue } from '../messaging/outbox';
import { PERIOD_RECORD } from '../periods/period.store';

export const DATA_ACCESSES = 'DATA_ACCESSES';
/** The register answers each citizen's myDataAccesses, so every other system ships it the accesses it logs. */
export const ACCESS_HOLDER = 'intake';
/** A running system ships what it logged at least this often: how late another system's access can be listed. */
export const ACCESS_SHIPPING_MS = 1_000;
export const SHIPMENT_SIZE = 200;

/**
 * One logged access as the register keeps it: no subject (the officer's identity stays in the system that logged
 * it) and no personal value, only which fields of which dossier, by which role.
 */
export interface ShippedAccess {
  id: string;
  at: string;
  role: string;
  department: string | null;
  fields: string[];
  operation: string;
  dossierCode: string;
}

/**
 * Ships the next accesses after the watermark through the outbox, and moves the watermark, in one transaction: a
 * record is shipped once, and its message is delivered until acknowledged. Records are appended under the chain's
 * lock, so ids commit in order and a record below the newest visible id can no longer appear. Refused attempts
 * (which disclosed nothing), the citizens' own reads and the chain's signatures of closed periods (no one's data)
 * are not what the view lists.
 */
async function shipOnce(db: DataSource, system: string): Promise<number> {
  return db.transaction(async (m) => {
    const [{ through }] = await m.query('SELECT shipped_through::text AS through FROM access_shipment FOR UPDATE');
    const [{ head, rows }] = await m.query(
      `SELECT (SELECT max(id)::text FROM audit_record) AS head,
              COALESCE((SELECT json_agg(b ORDER BY b.n) FROM (
                SELECT a.id AS n, a.id::text AS id, to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at,
                       a.role, a.department, a.fields, a.operation, a.dossier_code AS "dossierCode"
                  FROM audit_record a
                 WHERE a.id > $1 AND a.allowed AND a.role <> 'CITIZEN' AND a.dossier_code NOT LIKE '${PERIOD_RECORD}%'
                 ORDER BY a.id LIMIT $2) b), '[]') AS rows`,
      [through, SHIPMENT_SIZE],
    );
    const batch = (rows as (ShippedAccess & { n: number })[]).map(({ n: _n, ...r }) => r);
    const next = batch.length === SHIPMENT_SIZE ? batch[batch.length - 1].id : head;
    if (next === null || next === through) return 0;
    if (batch.length) {
      await enqueue(m, [{ destination: ACCESS_HOLDER, dossierCode: 'data-accesses', type: DATA_ACCESSES, payload: { accesses: batch } }]);
    }
    await m.query('UPDATE access_shipment SET shipped_through = $1', [next]);
    return batch.length;
  });
}

/** Ships everything logged so far; returns how many accesses were shipped. */
export async function shipAccesses(db: DataSource, system: string): Promise<number> {
  if (system === ACCESS_HOLDER) return 0;
  let total = 0;
  for (;;) {
    const n = await shipOnce(db, system);
    total += n;
    if (n < SHIPMENT_SIZE) return total;
  }
}

/** Ships every `everyMs` while the server runs, one run at a time. */
export function shippingTimer(db: DataSource, system: string, everyMs: number, sent: () => void, failed: (e: unknown) => void): () => void {
  if (system === ACCESS_HOLDER) return () => {};
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    shipAccesses(db, system)
      .then((n) => n && sent(), failed)
      .finally(() => {
        running = false;
      });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
