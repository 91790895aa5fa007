import type { ClassType } from 'type-graphql';
import type { EntityManager } from 'typeorm';
import { insertMany } from '../bulk';
import { DueDateChange, recordDueDates } from './due-date';
import type { ProcessingRecord } from './processing.record';
import { StatusChange } from './status-change.entity';

/** The kit's part of a processing record, as another system kept it. */
export type ProcessingFacts = Omit<ProcessingRecord, 'updatedAt'> & { updatedAt: Date };

/** A processing record moving here from another system, with its whole history. */
export interface MovedProcessing {
  record: ProcessingFacts;
  /** What its decision issued there (the one-stop system's resultDocument…), for this system's own columns. */
  detail: Record<string, unknown>;
  history: Pick<StatusChange, 'status' | 'at' | 'officer' | 'note'>[];
  dueDates: DueDateChange[];
}

/**
 * Takes over processing records from another system, in the caller's transaction: each record and its history
 * replace any earlier copy of them, so a batch copied twice (a move resumed) leaves what one copy leaves. The
 * rollups follow the records through their triggers, as for any write.
 */
export async function adoptProcessing<T extends ProcessingRecord>(
  m: EntityManager,
  entity: ClassType<T>,
  detail: (d: Record<string, unknown>) => Partial<T>,
  moved: MovedProcessing[],
): Promise<void> {
  if (!moved.length) return;
  const codes = moved.map((p) => p.record.dossierCode);
  await m.query('DELETE FROM status_change WHERE dossier_code = ANY($1)', [codes]);
  await m.query('DELETE FROM processing WHERE dossier_code = ANY($1)', [codes]);
  await insertMany(m, entity, moved.map((p) => ({ ...p.record, ...detail(p.detail) }) as Partial<T>));
  await insertMany(m, StatusChange, moved.flatMap((p) => p.history.map((h) => ({ ...h, dossierCode: p.record.dossierCode }))), 1000);
  await recordDueDates(m, moved.flatMap((p) => p.dueDates));
}
