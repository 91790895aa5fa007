import type { DataSource } from 'typeorm';
import { appendRecords, PendingRecord } from './audit-log';

interface Waiting {
  records: PendingRecord[];
  stored(): void;
  failed(e: unknown): void;
}

/**
 * Group commit of the reads' audit records: the chain takes one lock per append, so requests ending together would
 * queue on it one transaction each. Instead, while one append runs, the records of the requests that end meanwhile
 * wait together and go in the next one: one transaction, one read of the chain's end and one insert for all of them.
 * Each request still answers only once its own records are stored, and a failed append fails exactly the requests
 * whose records it held.
 */
export class AuditWriter {
  private waiting: Waiting[] = [];
  private running = false;

  constructor(
    private readonly db: DataSource,
    private readonly key: string,
  ) {}

  append(records: PendingRecord[]): Promise<void> {
    return new Promise((stored, failed) => {
      this.waiting.push({ records, stored, failed });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length) {
        const batch = this.waiting;
        this.waiting = [];
        try {
          await this.db.transaction((m) => appendRecords(m, this.key, batch.flatMap((w) => w.records)));
          for (const w of batch) w.stored();
        } catch (e) {
          for (const w of batch) w.failed(e);
        }
      }
    } finally {
      this.running = false;
    }
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
