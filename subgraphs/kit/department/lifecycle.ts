import { conflict } from '../errors';
import { ProcessingStatus as S } from './processing-status';

/** domain.md's status table, as the steps that move a dossier between statuses. */
export const STEPS = {
  startProcessing: { from: [S.NEW], to: S.PROCESSING, event: 'PROCESSING_STARTED' },
  requestSupplement: { from: [S.PROCESSING], to: S.WAITING, event: 'SUPPLEMENT_REQUESTED' },
  receiveSupplement: { from: [S.WAITING], to: S.PROCESSING, event: 'SUPPLEMENT_RECEIVED' },
  decide: { from: [S.PROCESSING], to: S.RELEASING, event: 'DECIDED' },
  returnResult: { from: [S.RELEASING], to: S.DONE, event: 'RESULT_RETURNED' },
  withdraw: { from: [S.NEW, S.PROCESSING, S.WAITING, S.PAYING], to: S.CANCELLED, event: 'WITHDRAWN' },
} as const;

export type Step = keyof typeof STEPS;

/**
 * A withdrawal of a dossier processed by a department's own system is a request until that system, which
 * orders it against its decision, answers: WITHDRAWN (STEPS.withdraw's event) or WITHDRAWAL_REFUSED.
 */
export const WITHDRAWAL_REQUESTED = 'WITHDRAWAL_REQUESTED';
export const WITHDRAWAL_REFUSED = 'WITHDRAWAL_REFUSED';

export const canTake = (current: S, step: Step): boolean => (STEPS[step].from as readonly S[]).includes(current);

/** The status after `step`, or CONFLICT naming the current status. */
export function nextStatus(dossierCode: string, current: S, step: Step): S {
  const rule = STEPS[step];
  if (!canTake(current, step)) {
    throw conflict(`dossier ${dossierCode} is ${current}: ${step} needs ${rule.from.join(' or ')}`, { currentStatus: current });
  }
  return rule.to;
}
