import type { ClassType } from 'type-graphql';
import type { EntityManager } from 'typeorm';
import type { Delivered, Handler } from '../messaging/handover';
import { RejectedMessage } from '../messaging/handover';
import { enqueue } from '../messaging/outbox';
import { nextStatus, Step } from './lifecycle';
import { ProcessingStatus } from './processing-status';
import type { ProcessingRecord } from './processing.record';
import type { StepTaken } from './processing.resolver';
import { StatusChange } from './status-change.entity';

/** Tells the centre's register what changed here: one STATUS message per step, in the step's transaction. */
export function reportToCentre<T extends ProcessingRecord>(m: EntityManager, row: T, taken: StepTaken): Promise<void> {
  return enqueue(m, [
    {
      destination: 'intake',
      dossierCode: row.dossierCode,
      type: 'STATUS',
      payload: {
        event: taken.event,
        status: taken.status,
        at: taken.at.toISOString(),
        dueAt: row.dueAt?.toISOString() ?? null,
        decision: row.decision,
        note: taken.note ?? null,
      },
    },
  ]);
}

export interface HandedOver {
  procedureCode: string;
  departmentCode: string;
  receivedAt: Date;
  dueAt: Date | null;
  applicantIdNumber: string;
}

/** Opens the processing record of a dossier handed over at `at` (NEW), unless it is already there. */
export async function openProcessing<T extends ProcessingRecord>(
  m: EntityManager,
  entity: ClassType<T>,
  dossierCode: string,
  d: HandedOver,
  at: Date,
): Promise<void> {
  const repo = m.getRepository(entity);
  if (await repo.findOneBy({ dossierCode } as never)) return;
  await repo.insert({ dossierCode, ...d, status: ProcessingStatus.NEW } as never);
  await m.getRepository(StatusChange).insert({ dossierCode, status: ProcessingStatus.NEW, at, officer: null, note: null });
}

/**
 * A step the centre takes on a processing record (withdrawal, result returned): in a department system when
 * the hand-over arrives, in the one-stop system in the register's own transaction.
 */
export async function applyCentreStep<T extends ProcessingRecord>(
  m: EntityManager,
  entity: ClassType<T>,
  dossierCode: string,
  step: Extract<Step, 'withdraw' | 'returnResult'>,
  at: Date,
  officer: string | null,
): Promise<void> {
  const repo = m.getRepository(entity);
  const row = await repo.findOne({ where: { dossierCode } as never, lock: { mode: 'pessimistic_write' } });
  if (!row) throw new RejectedMessage(`no dossier ${dossierCode} here`);
  row.status = nextStatus(dossierCode, row.status, step);
  if (step === 'withdraw') row.withdrawnAt = at;
  await repo.save(row);
  await m.getRepository(StatusChange).insert({ dossierCode, status: row.status, at, officer, note: null });
}

/** What a department system accepts from the centre: the dossier itself, its withdrawal, its result's return. */
export function departmentHandlers<T extends ProcessingRecord>(entity: ClassType<T>): Record<string, Handler> {
  const step = (m: EntityManager, msg: Delivered, s: 'withdraw' | 'returnResult') =>
    applyCentreStep(m, entity, msg.dossierCode, s, new Date(msg.payload.at), null);
  return {
    HANDOVER(m, msg) {
      const p = msg.payload;
      return openProcessing(m, entity, msg.dossierCode, {
        procedureCode: p.procedureCode,
        departmentCode: p.departmentCode,
        receivedAt: new Date(p.receivedAt),
        dueAt: p.dueAt ? new Date(p.dueAt) : null,
        applicantIdNumber: p.applicantIdNumber,
      }, new Date(p.handedOverAt));
    },
    WITHDRAWN: (m, msg) => step(m, msg, 'withdraw'),
    RESULT_RETURNED: (m, msg) => step(m, msg, 'returnResult'),
  };
}
