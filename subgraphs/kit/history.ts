/**
 * A dossier's whole history in one record: what the demo seed produces and what an import of the
 * previous one-stop system's data brings. Each subgraph stores only the part it owns.
 */
export type HistoryEvent =
  | { type: 'PROCESSING_STARTED'; at: Date }
  | { type: 'SUPPLEMENT_REQUESTED'; at: Date; note?: string }
  | { type: 'SUPPLEMENT_RECEIVED'; at: Date }
  | { type: 'DECIDED'; at: Date; outcome: 'APPROVED' | 'REJECTED'; detail?: Record<string, string | Date | null> }
  | { type: 'RESULT_RETURNED'; at: Date; channel: 'DIRECT' | 'POSTAL'; trackingNumber?: string; deliveredAt?: Date | null }
  | { type: 'WITHDRAWN'; at: Date };

export interface DossierHistory {
  code: string;
  procedureCode: string;
  departmentCode: string;
  /** Registry name of the system it is handed to; null for the one-stop system. */
  processingSystem: string | null;
  channel: 'ONLINE' | 'DIRECT' | 'POSTAL';
  receivedAt: Date;
  dueAt: Date;
  handedOverAt: Date;
  applicant: { fullName: string; idNumber: string; phone: string | null; address: string | null };
  officer: string;
  /** For the postal channel: the inbound item that carried the dossier. */
  inbound?: { trackingNumber: string; postedAt: Date; deliveredAt: Date };
  events: HistoryEvent[];
  rating?: { level: 'VERY_SATISFIED' | 'SATISFIED' | 'DISSATISFIED'; at: Date; reason?: string; officer: string };
}

export function eventOf<T extends HistoryEvent['type']>(h: DossierHistory, type: T): Extract<HistoryEvent, { type: T }> | undefined {
  return h.events.find((e) => e.type === type) as Extract<HistoryEvent, { type: T }> | undefined;
}

export interface StatusStep {
  status: 'NEW' | 'PROCESSING' | 'WAITING' | 'RELEASING' | 'DONE' | 'CANCELLED';
  at: Date;
  note?: string;
}

/** The processing statuses a history passes through (domain.md's table), oldest first. */
export function statusTimeline(h: DossierHistory): StatusStep[] {
  const steps: StatusStep[] = [{ status: 'NEW', at: h.handedOverAt }];
  for (const e of h.events) {
    switch (e.type) {
      case 'PROCESSING_STARTED':
      case 'SUPPLEMENT_RECEIVED':
        steps.push({ status: 'PROCESSING', at: e.at });
        break;
      case 'SUPPLEMENT_REQUESTED':
        steps.push({ status: 'WAITING', at: e.at, note: e.note });
        break;
      case 'DECIDED':
        steps.push({ status: 'RELEASING', at: e.at });
        break;
      case 'RESULT_RETURNED':
        steps.push({ status: 'DONE', at: e.at });
        break;
      case 'WITHDRAWN':
        steps.push({ status: 'CANCELLED', at: e.at });
        break;
    }
  }
  return steps;
}
