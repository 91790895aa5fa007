import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { DossierScope } from '../access';
import type { Identity } from '../identity';
import { AuditRecord } from './audit-record.entity';

export const GENESIS = '0'.repeat(64);
const CHAIN_LOCK = 727_001;

type Entry = Pick<AuditRecord, 'dossierCode' | 'operation' | 'allowed'> & { fields: Set<string> };

/** The fields that make a row's hash, in a fixed order. */
export function recordHash(prevHash: string, r: Omit<AuditRecord, 'id' | 'hash' | 'prevHash'>): string {
  const canonical = JSON.stringify([
    r.at.toISOString(), r.requestId, r.subject, r.role, r.department ?? null, r.dossierCode, [...r.fields].sort(), r.operation, r.allowed,
  ]);
  return createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex');
}

/** The accesses of one request, merged per dossier, written as one batch when the request ends. */
export class AuditLog {
  private readonly entries = new Map<string, Entry>();
  constructor(
    private readonly identity: Identity,
    private readonly requestId: string,
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

  get size(): number {
    return this.entries.size;
  }

  private add(dossierCode: string, operation: string, allowed: boolean, fields: string[]): void {
    const key = `${dossierCode}|${operation}|${allowed}`;
    const entry = this.entries.get(key) ?? { dossierCode, operation, allowed, fields: new Set<string>() };
    fields.forEach((f) => entry.fields.add(f));
    this.entries.set(key, entry);
  }

  /** Appends the entries to the chain: one lock, one read of the chain's end, one insert. */
  async flush(db: DataSource): Promise<void> {
    if (this.entries.size === 0) return;
    const entries = [...this.entries.values()];
    this.entries.clear();
    const at = new Date();
    const run = async (m: EntityManager) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
      const [last] = await m.query('SELECT hash FROM audit_record ORDER BY id DESC LIMIT 1');
      let prevHash: string = last?.hash ?? GENESIS;
      const rows = entries.map((e) => {
        const base = {
          at,
          requestId: this.requestId,
          subject: this.identity.subject,
          role: this.identity.role,
          department: this.identity.department ?? null,
          dossierCode: e.dossierCode,
          fields: [...e.fields].sort(),
          operation: e.operation,
          allowed: e.allowed,
        };
        const hash = recordHash(prevHash, base);
        const row = { ...base, prevHash, hash };
        prevHash = hash;
        return row;
      });
      await m.createQueryBuilder().insert().into(AuditRecord).values(rows).updateEntity(false).execute();
    };
    await db.transaction(run);
  }
}

export interface ChainCheck {
  rows: number;
  /** The first row whose hash or link does not hold, if any. */
  brokenAt?: string;
  reason?: string;
}

/** Recomputes the chain from the start: an edited row fails its hash, a deleted row breaks the links. */
export async function verifyAuditChain(db: DataSource, batch = 5000): Promise<ChainCheck> {
  let prevHash = GENESIS;
  let lastId = '0';
  let rows = 0;
  for (;;) {
    const page: AuditRecord[] = await db
      .getRepository(AuditRecord)
      .createQueryBuilder('a')
      .where('a.id > :lastId', { lastId })
      .orderBy('a.id', 'ASC')
      .limit(batch)
      .getMany();
    if (page.length === 0) return { rows };
    for (const r of page) {
      rows++;
      if (r.prevHash !== prevHash) return { rows, brokenAt: r.id, reason: 'a row before it was deleted or reordered' };
      if (recordHash(prevHash, r) !== r.hash) return { rows, brokenAt: r.id, reason: 'the row was edited' };
      prevHash = r.hash;
      lastId = r.id;
    }
  }
}
