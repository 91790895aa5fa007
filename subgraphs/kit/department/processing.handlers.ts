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

/** What a department system accepts from the centre: the dossier itself, its withdrawal, its result's return. */
export function departmentHandlers<T extends ProcessingRecord>(entity: ClassType<T>): Record<string, Handler> {
  const step = async (m: EntityManager, msg: Delivered, s: Step) => {
    const repo = m.getRepository(entity);
    const row = await repo.findOne({ where: { dossierCode: msg.dossierCode } as never, lock: { mode: 'pessimistic_write' } });
    if (!row) throw new RejectedMessage(`no dossier ${msg.dossierCode} here`);
    const at = new Date(msg.payload.at);
    row.status = nextStatus(msg.dossierCode, row.status, s);
    if (s === 'withdraw') row.withdrawnAt = at;
    await repo.save(row);
    await m.getRepository(StatusChange).insert({ dossierCode: row.dossierCode, status: row.status, at, officer: null, note: null });
  };
  return {
    async HANDOVER(m, msg) {
      const p = msg.payload;
      const repo = m.getRepository(entity);
      if (await repo.findOneBy({ dossierCode: msg.dossierCode } as never)) return;
      await repo.insert({
        dossierCode: msg.dossierCode,
        procedureCode: p.procedureCode,
        receivedAt: new Date(p.receivedAt),
        dueAt: p.dueAt ? new Date(p.dueAt) : null,
        status: ProcessingStatus.NEW,
        departmentCode: p.departmentCode,
        applicantIdNumber: p.applicantIdNumber,
      } as never);
      await m.getRepository(StatusChange).insert({ dossierCode: msg.dossierCode, status: ProcessingStatus.NEW, at: new Date(p.handedOverAt), officer: null, note: null });
    },
    WITHDRAWN: (m, msg) => step(m, msg, 'withdraw'),
    RESULT_RETURNED: (m, msg) => step(m, msg, 'returnResult'),
  };
}
