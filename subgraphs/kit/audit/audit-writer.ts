import type { DataSource } from 'typeorm';
import { GroupCommit } from '../batching/group-commit';
import { appendRecords, PendingRecord } from './audit-log';

/**
 * Group commit of the reads' audit records: the chain takes one lock per append, so requests ending together would
 * queue on it one transaction each. Instead the records of the requests that end while an append runs go together
 * in the next one: one transaction, one read of the chain's end and one insert for all of them. Each request still
 * answers only once its own records are stored, and a failed append fails exactly the requests whose records it held.
 */
export class AuditWriter {
  private readonly group: GroupCommit<PendingRecord[], void>;

  constructor(db: DataSource, key: string) {
    this.group = new GroupCommit(async (batches) => {
      await db.transaction((m) => appendRecords(m, key, batches.flat()));
      return batches.map(() => undefined);
    });
  }

  append(records: PendingRecord[]): Promise<void> {
    return this.group.offer(records);
  }
}

const writers = new WeakMap<DataSource, Map<string, AuditWriter>>();

/** The writer of a database's chain in this process, for the key its records are signed with. */
export function auditWriter(db: DataSource, key: string): AuditWriter {
  let byKey = writers.get(db);
  if (!byKey) writers.set(db, (byKey = new Map()));
  let writer = byKey.get(key);
  if (!writer) byKey.set(key, (writer = new AuditWriter(db, key)));
  return writer;
}
