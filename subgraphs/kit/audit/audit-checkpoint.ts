import type { DataSource, EntityManager } from 'typeorm';
import { RejectedMessage, type Handler } from '../messaging/handover';
import { enqueue } from '../messaging/outbox';
import { CHAIN_LOCK, verifyAuditChain, type ChainCheck, type ChainHead } from './audit-log';

export const AUDIT_CHECKPOINT = 'AUDIT_CHECKPOINT';
/** A running subgraph checkpoints its chain at least this often: what an attacker could delete undetected is at most this much. */
export const AUDIT_CHECKPOINT_MS = 60_000;

/** Whose database keeps a system's checkpoints: the centre's register keeps every system's, postal keeps the register's. */
export const checkpointHolder = (system: string) => (system === 'intake' ? 'postal' : 'intake');

/** The chain's newest keyed record and how many records it ends, read under the chain's lock so no append interleaves. */
async function chainHead(m: EntityManager): Promise<ChainHead | null> {
  await m.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
  const [head] = await m.query(`SELECT id::text AS id, mac, (SELECT count(*)::int FROM audit_record) AS count FROM audit_record ORDER BY id DESC LIMIT 1`);
  return head?.mac ? { recordId: head.id, count: head.count, mac: head.mac } : null;
}

/**
 * Hands the chain's head to the holder through the outbox (delivered, retried, applied once), unless it is the head
 * last handed over (`after`). Returns the head handed over, or null when there was nothing new.
 */
export async function enqueueCheckpoint(db: DataSource, system: string, after?: string): Promise<ChainHead | null> {
  return db.transaction(async (m) => {
    const head = await chainHead(m);
    if (!head || head.recordId === after) return null;
    await enqueue(m, [{
      destination: checkpointHolder(system),
      dossierCode: 'audit-checkpoint',
      type: AUDIT_CHECKPOINT,
      payload: { ...head, at: new Date().toISOString() },
    }]);
    return head;
  });
}

/** Applies a checkpoint another system sent: kept under the sender the signature proved. */
export const receiveCheckpoint: Handler = async (m, message) => {
  const p = message.payload;
  const valid = typeof p.recordId === 'string' && /^\d{1,19}$/.test(p.recordId) && Number.isSafeInteger(p.count) && p.count > 0
    && typeof p.mac === 'string' && /^[0-9a-f]{64}$/.test(p.mac) && typeof p.at === 'string' && !Number.isNaN(Date.parse(p.at));
  if (!valid) throw new RejectedMessage('not a checkpoint');
  await m.query(`INSERT INTO audit_checkpoint (system, record_id, count, mac, at) VALUES ($1, $2, $3, $4, $5)`, [message.source, p.recordId, p.count, p.mac, p.at]);
};

/** The newest checkpoint of `system` that `holder` keeps. */
export async function newestCheckpoint(holder: DataSource, system: string): Promise<(ChainHead & { at: Date }) | undefined> {
  const [row] = await holder.query(
    `SELECT record_id::text AS "recordId", count::int AS count, mac, at FROM audit_checkpoint WHERE system = $1 ORDER BY record_id DESC, id DESC LIMIT 1`,
    [system],
  );
  return row;
}

/** Checkpoints every `everyMs` while the server runs; a head already handed over is not sent again. */
export function checkpointTimer(db: DataSource, system: string, everyMs: number, sent: () => void, failed: (e: unknown) => void): () => void {
  let last: string | undefined;
  const timer = setInterval(() => {
    enqueueCheckpoint(db, system, last).then((head) => {
      if (head) {
        last = head.recordId;
        sent();
      }
    }, failed);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

export interface SystemCheck extends ChainCheck {
  system: string;
  /** The newest checkpoint the holder keeps of this system's chain, if any. */
  checkpoint?: ChainHead & { at: Date };
}

/** Every system's chain, each checked against its newest checkpoint in its holder's database. */
export async function verifySystems(dbs: Record<string, DataSource>, key: string): Promise<SystemCheck[]> {
  const checks: SystemCheck[] = [];
  for (const [system, db] of Object.entries(dbs)) {
    const holder = dbs[checkpointHolder(system)];
    const checkpoint = holder ? await newestCheckpoint(holder, system) : undefined;
    checks.push({ system, ...(checkpoint ? { checkpoint } : {}), ...(await verifyAuditChain(db, key, checkpoint)) });
  }
  return checks;
}
