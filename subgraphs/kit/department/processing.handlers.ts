import type { ClassType } from 'type-graphql';
import type { EntityManager } from 'typeorm';
import type { Delivered, Handler } from '../messaging/handover';
import { RejectedMessage } from '../messaging/handover';
import { enqueue } from '../messaging/outbox';
import { canTake, nextStatus, Step, STEPS, WITHDRAWAL_REFUSED } from './lifecycle';
import { ProcessingStatus } from './processing-status';
import type { ProcessingRecord } from './processing.record';
import type { StepTaken } from './processing.resolver';
import { StatusChange } from './status-change.entity';
import { recordDueDate } from './due-date';
import { CALENDAR, holdCalendarSteady } from '../calendar/calendar.store';
import { catchUpWithCalendar, receiveCalendar } from '../calendar/calendar.handover';

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

/** Opens the processing record of a dossier handed over at `at` (NEW), unless it is already there; whether it did. */
export async function openProcessing<T extends ProcessingRecord>(
  m: EntityManager,
  entity: ClassType<T>,
  dossierCode: string,
  d: HandedOver,
  at: Date,
): Promise<boolean> {
  const repo = m.getRepository(entity);
  if (await repo.findOneBy({ dossierCode } as never)) return false;
  await repo.insert({ dossierCode, ...d, status: ProcessingStatus.NEW } as never);
  await recordDueDate(m, dossierCode, d.dueAt, d.receivedAt, 'RECEIVED');
  await m.getRepository(StatusChange).insert({ dossierCode, status: ProcessingStatus.NEW, at, officer: null, note: null });
  return true;
}

/**
 * A step the centre takes on a processing record: the result's return (in a department system when the
 * hand-over arrives), and both steps in the one-stop system, in the register's own transaction.
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

/**
 * A withdrawal the centre asked for, ordered here against the decision under the record's lock: the system
 * that owns the processing decides which came first, and tells the centre either way, in the same
 * transaction (so the answer exists if and only if the outcome does). A refusal commits, never throws: the
 * centre's register must hear it.
 */
export async function orderWithdrawal<T extends ProcessingRecord>(m: EntityManager, entity: ClassType<T>, dossierCode: string): Promise<void> {
  const repo = m.getRepository(entity);
  const row = await repo.findOne({ where: { dossierCode } as never, lock: { mode: 'pessimistic_write' } });
  if (!row) throw new RejectedMessage(`no dossier ${dossierCode} here`);
  const at = new Date();
  if (row.status === ProcessingStatus.CANCELLED) {
    // Withdrawn already (a request repeated, or history): the same answer again settles the register.
    await reportToCentre(m, row, { step: 'withdraw', event: STEPS.withdraw.event, at: row.withdrawnAt ?? at, status: row.status });
    return;
  }
  if (canTake(row.status, 'withdraw')) {
    row.status = STEPS.withdraw.to;
    row.withdrawnAt = at;
    await repo.save(row);
    await m.getRepository(StatusChange).insert({ dossierCode, status: row.status, at, officer: null, note: null });
    await reportToCentre(m, row, { step: 'withdraw', event: STEPS.withdraw.event, at, status: row.status });
    return;
  }
  row.withdrawalRefusedAt = at;
  await repo.save(row);
  await reportToCentre(m, row, {
    step: 'withdraw',
    event: WITHDRAWAL_REFUSED,
    at,
    status: row.status,
    note: row.decision ? `${row.status}, ${row.decision}` : row.status,
  });
}

/** What a department system accepts from the centre: the dossier itself, its withdrawal, its result's return. */
export function departmentHandlers<T extends ProcessingRecord>(entity: ClassType<T>): Record<string, Handler> {
  return {
    async HANDOVER(m, msg) {
      const p = msg.payload;
      const receivedAt = new Date(p.receivedAt);
      const dueAt = p.dueAt ? new Date(p.dueAt) : null;
      await holdCalendarSteady(m);
      const opened = await openProcessing(m, entity, msg.dossierCode, {
        procedureCode: p.procedureCode,
        departmentCode: p.departmentCode,
        receivedAt,
        dueAt,
        applicantIdNumber: p.applicantIdNumber,
      }, new Date(p.handedOverAt));
      if (opened && dueAt) await catchUpWithCalendar(m, msg.dossierCode, receivedAt, dueAt, new Date(p.handedOverAt));
    },
    WITHDRAWN: (m, msg) => orderWithdrawal(m, entity, msg.dossierCode),
    RESULT_RETURNED: (m, msg: Delivered) => applyCentreStep(m, entity, msg.dossierCode, 'returnResult', new Date(msg.payload.at), null),
    [CALENDAR]: receiveCalendar,
  };
}
