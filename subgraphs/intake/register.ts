import type { EntityManager } from 'typeorm';
import { calendar } from '../kit/calendar/working-time';
import { STEPS, WITHDRAWAL_REFUSED } from '../kit/department/lifecycle';
import { Decision, ProcessingStatus } from '../kit/department/processing-status';
import { RejectedMessage } from '../kit/messaging/handover';
import { conflict } from '../kit/errors';
import { Dossier } from './entities/dossier.entity';
import { DossierEvent } from './entities/dossier-event.entity';
import { recordDueDate } from '../kit/department/due-date';

export interface EventIn {
  at: Date;
  system: string;
  type: string;
  detail?: string | null;
}

export function logEvents(m: EntityManager, dossierCode: string, events: EventIn[]): Promise<unknown> {
  return m.getRepository(DossierEvent).insert(events.map((e) => ({ dossierCode, detail: null, ...e })));
}

export interface StatusReport {
  event: string;
  status: ProcessingStatus;
  at: Date;
  dueAt: Date | null;
  decision: Decision | null;
  note: string | null;
}

/**
 * What the register learns from the processing system (a hand-over, or the one-stop system in the same
 * database): the status, the deadline as moved by pauses, the pause in progress, the decision, and the
 * answer to a withdrawal request. The processing system owns the status: the register takes it.
 */
export async function applyStatus(m: EntityManager, dossierCode: string, system: string, r: StatusReport): Promise<void> {
  const repo = m.getRepository(Dossier);
  const d = await repo.findOne({ where: { code: dossierCode }, lock: { mode: 'pessimistic_write' } });
  if (!d) throw new RejectedMessage(`no dossier ${dossierCode} in the register`);
  // Any department's system may report, but only on the dossiers handed to it (the centre's own: on the others).
  if ((d.processingSystem ?? 'intake') !== system) {
    // The one-stop system's own step, on a dossier whose department has since moved to a system of its own.
    if (system === 'intake') throw conflict(`dossier ${dossierCode} is processed in the ${d.processingSystem} system now`, { field: 'dossierCode' });
    throw new RejectedMessage(`${system} does not process ${dossierCode}`);
  }
  const changes: Partial<Dossier> = { dueAt: r.dueAt };
  if (r.event === WITHDRAWAL_REFUSED) {
    changes.withdrawalRequestedAt = null;
    // The status the refusal found was reported before it, and the register may be a step ahead since
    // (the result returned); only a register cancelled before its department answered (as it once was)
    // is corrected to the department's status.
    if (d.status === ProcessingStatus.CANCELLED) Object.assign(changes, { status: r.status, withdrawnAt: null });
  } else {
    changes.status = r.status;
    if (r.event === STEPS.withdraw.event) Object.assign(changes, { withdrawnAt: r.at, withdrawalRequestedAt: null });
  }
  if (r.event === 'SUPPLEMENT_REQUESTED') changes.pausedSince = r.at;
  if (r.event === 'SUPPLEMENT_RECEIVED' && d.pausedSince) {
    changes.pausedSince = null;
    changes.pausedHours = Number(d.pausedHours) + calendar.workingHoursBetween(d.pausedSince, r.at);
  }
  if (r.event === 'DECIDED') {
    changes.decidedAt = r.at;
    changes.decision = r.decision;
  }
  await repo.update({ code: dossierCode }, changes);
  if ((r.dueAt?.getTime() ?? null) !== (d.dueAt?.getTime() ?? null)) await recordDueDate(m, dossierCode, r.dueAt, r.at, r.event);
  await logEvents(m, dossierCode, [{ at: r.at, system, type: r.event, detail: r.event === 'DECIDED' ? r.decision : r.note?.slice(0, 200) }]);
}
