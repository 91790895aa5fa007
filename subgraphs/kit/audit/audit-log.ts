import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { DossierScope } from '../access';
import type { Identity } from '../identity';
import { AuditRecord } from './audit-record.entity';
import { auditWriter } from './audit-writer';

export const GENESIS = '0'.repeat(64);
/** Taken by every append (and by a checkpoint reading the head) until its transaction ends. */
export const CHAIN_LOCK = 727_001;

type Entry = Pick<AuditRecord, 'dossierCode' | 'operation' | 'allowed' | 'action' | 'reason'> & { fields: Set<string> };

/** The fields that make a row's hash, in a fixed order. */
export function recordHash(prevHash: string, r: Omit<AuditRecord, 'id' | 'hash' | 'prevHash' | 'mac' | 'action' | 'reason'>): string {
  const canonical = JSON.stringify([
    r.at.toISOString(), r.requestId, r.subject, r.role, r.department ?? null, r.dossierCode, [...r.fields].sort(), r.operation, r.allowed,
  ]);
  return createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex');
}

/**
 * The row's HMAC: over its hash (which covers the row and, through prevHash, every row before it) and what the hash
 * does not cover. Without the key, a rewritten chain cannot be given macs that verify.
 */
export function recordMac(key: string, r: Pick<AuditRecord, 'hash' | 'action' | 'reason'>): string {
  return createHmac('sha256', key).update(JSON.stringify([r.hash, r.action ?? null, r.reason ?? null])).digest('hex');
}

const sameHex = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * The accesses of one request, merged per dossier. Reads are written as one batch when the request ends; a mutation
 * writes its own in its transaction (writeIn), so the change commits if and only if its record does.
 */
export class AuditLog {
  private readonly entries = new Map<string, Entry>();
  /** The mutation being resolved, set by the server for each root mutation field. */
  action: string | null = null;

  constructor(
    private readonly identity: Identity,
    private readonly requestId: string,
    private readonly key: string,
  ) {}

  read(scope: DossierScope, ...fields: string[]): void {
    this.add(scope.dossierCode, 'READ', true, fields);
  }

  write(scope: DossierScope, ...fields: string[]): void {
    this.add(scope.dossierCode, 'WRITE', true, fields);
  }

  deny(scope: DossierScope, operation: 'READ' | 'WRITE', ...fields: string[]): void {
    this.add(scope.dossierCode, operation, false, fields);
  }

  /** A mutation refused before or during its transaction, which rolled back: written after it, with its error code. */
  refuse(dossierCode: string, reason: string): void {
    this.add(dossierCode, 'WRITE', false, [], reason);
  }

  /** Records the write (when given) and appends everything pending in the mutation's transaction `m`. */
  async writeIn(m: EntityManager, scope?: DossierScope, ...fields: string[]): Promise<void> {
    if (scope) this.write(scope, ...fields);
    await this.append(m);
  }

  get size(): number {
    return this.entries.size;
  }

  private add(dossierCode: string, operation: string, allowed: boolean, fields: string[], reason: string | null = null): void {
    const action = this.action;
    const key = `${dossierCode}|${operation}|${allowed}|${action}|${reason}`;
    const entry = this.entries.get(key) ?? { dossierCode, operation, allowed, action, reason, fields: new Set<string>() };
    fields.forEach((f) => entry.fields.add(f));
    this.entries.set(key, entry);
  }

  /**
   * Appends the pending entries in a transaction of their own, shared with the reads of the other requests ending
   * at the same moment (auditWriter); resolves once they are stored.
   */
  async flush(db: DataSource): Promise<void> {
    if (this.entries.size === 0) return;
    await auditWriter(db, this.key).append(this.pending());
  }

  private pending(): PendingRecord[] {
    const entries = [...this.entries.values()];
    this.entries.clear();
    return entries.map((e) => ({
      requestId: this.requestId,
      subject: this.identity.subject,
      role: this.identity.role,
      department: this.identity.department ?? null,
      dossierCode: e.dossierCode,
      fields: [...e.fields].sort(),
      operation: e.operation,
      allowed: e.allowed,
      action: e.action,
      reason: e.reason,
    }));
  }

  private async append(m: EntityManager): Promise<void> {
    if (this.entries.size === 0) return;
    await appendRecords(m, this.key, this.pending());
  }
}

/** A record before it has its place in the chain. */
export type PendingRecord = Omit<AuditRecord, 'id' | 'at' | 'hash' | 'prevHash' | 'mac'>;

/** One lock (held until `m` commits), one read of the chain's end, one insert. */
export async function appendRecords(m: EntityManager, key: string, pending: PendingRecord[]): Promise<void> {
  if (pending.length === 0) return;
  const at = new Date();
  await m.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
  const [last] = await m.query('SELECT hash FROM audit_record ORDER BY id DESC LIMIT 1');
  let prevHash: string = last?.hash ?? GENESIS;
  const rows = pending.map(({ action, reason, ...rest }) => {
    const base = { at, ...rest };
    const hash = recordHash(prevHash, base);
    const row = { ...base, prevHash, hash, action, reason, mac: recordMac(key, { hash, action, reason }) };
    prevHash = hash;
    return row;
  });
  // One parameter however many rows, in chain order (the identity follows it): TypeORM's insert builder cost more
  // CPU than the rest of a read of a page.
  await m.query(
    `INSERT INTO audit_record (at, request_id, subject, role, department, dossier_code, fields, operation, allowed, prev_hash, hash, mac, action, reason)
     SELECT r.at, r.request_id, r.subject, r.role, r.department, r.dossier_code, r.fields, r.operation, r.allowed, r.prev_hash, r.hash, r.mac, r.action, r.reason
     FROM jsonb_to_recordset($1::jsonb) AS r(i int, at timestamptz, request_id varchar, subject varchar, role varchar, department varchar,
       dossier_code varchar, fields text[], operation varchar, allowed boolean, prev_hash char(64), hash char(64), mac char(64), action varchar, reason varchar)
     ORDER BY r.i`,
    [JSON.stringify(rows.map((r, i) => ({
      i, at: r.at.toISOString(), request_id: r.requestId, subject: r.subject, role: r.role, department: r.department, dossier_code: r.dossierCode,
      fields: r.fields, operation: r.operation, allowed: r.allowed, prev_hash: r.prevHash, hash: r.hash, mac: r.mac, action: r.action, reason: r.reason,
    })))],
  );
}

/** The head of a chain, as a checkpoint keeps it in another system's database. */
export interface ChainHead {
  recordId: string;
  count: number;
  mac: string;
}

export interface ChainCheck {
  rows: number;
  /** Rows from before the chain was keyed (no mac): accepted only as its beginning. */
  unkeyed?: number;
  /** The first row whose hash, mac or link does not hold, or the checkpointed record that is gone. */
  brokenAt?: string;
  reason?: string;
}

/**
 * Recomputes the chain from the start: an edited row fails its hash or mac, a deleted row breaks the links, a
 * recomputed chain fails the macs, and newest rows deleted (or a chain cut short) leave the checkpoint unmatched.
 */
export async function verifyAuditChain(db: DataSource, key: string, checkpoint?: ChainHead, batch = 5000): Promise<ChainCheck> {
  let prevHash = GENESIS;
  let lastId = '0';
  let rows = 0;
  let unkeyed = 0;
  let keyed = false;
  let seen: { count: number; mac: string | null } | undefined;
  const result = (extra: Partial<ChainCheck> = {}): ChainCheck => ({ rows, ...(unkeyed ? { unkeyed } : {}), ...extra });
  for (;;) {
    const page: AuditRecord[] = await db
      .getRepository(AuditRecord)
      .createQueryBuilder('a')
      .where('a.id > :lastId', { lastId })
      .orderBy('a.id', 'ASC')
      .limit(batch)
      .getMany();
    if (page.length === 0) break;
    for (const r of page) {
      rows++;
      if (r.prevHash !== prevHash) return result({ brokenAt: r.id, reason: 'a row before it was deleted or reordered' });
      if (recordHash(prevHash, r) !== r.hash) return result({ brokenAt: r.id, reason: 'the row was edited' });
      if (r.mac === null) {
        if (keyed) return result({ brokenAt: r.id, reason: 'the row lost its mac: the chain was rewritten' });
        unkeyed++;
      } else {
        keyed = true;
        if (!sameHex(recordMac(key, r), r.mac)) return result({ brokenAt: r.id, reason: 'the mac does not hold: the row was edited or the chain recomputed' });
      }
      if (checkpoint && r.id === checkpoint.recordId) seen = { count: rows, mac: r.mac };
      prevHash = r.hash;
      lastId = r.id;
    }
  }
  if (checkpoint) {
    if (!seen) return result({ brokenAt: checkpoint.recordId, reason: `the checkpointed record is missing: records up to it (of ${checkpoint.count}) were deleted` });
    if (seen.mac === null || !sameHex(seen.mac, checkpoint.mac)) return result({ brokenAt: checkpoint.recordId, reason: 'the checkpointed record was rewritten' });
    if (seen.count !== checkpoint.count) {
      return result({ brokenAt: checkpoint.recordId, reason: `the chain holds ${seen.count} records up to it, the checkpoint counted ${checkpoint.count}: records were deleted or inserted` });
    }
  }
  return result();
}
