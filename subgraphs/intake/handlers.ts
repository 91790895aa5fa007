import type { Handler } from '../kit/messaging/handover';
import { DATA_ACCESSES } from '../kit/audit/access-shipping';
import { PERIOD_REVISED } from '../kit/periods/period-revision';
import { noteRevision } from './report/revision-notice.handler';
import { receiveDataAccesses } from './data-access.store';
import { applyStatus, logEvents } from './register';

/** What the register accepts from the other systems. */
export const intakeHandlers: Record<string, Handler> = {
  STATUS: (m, msg) =>
    applyStatus(m, msg.dossierCode, msg.source, {
      event: msg.payload.event,
      status: msg.payload.status,
      at: new Date(msg.payload.at),
      dueAt: msg.payload.dueAt ? new Date(msg.payload.dueAt) : null,
      decision: msg.payload.decision ?? null,
      note: msg.payload.note ?? null,
    }),
  SHIPMENT: async (m, msg) => {
    const p = msg.payload;
    await logEvents(m, msg.dossierCode, [
      { at: new Date(p.at), system: msg.source, type: `SHIPMENT_${p.status}`, detail: `${p.direction} ${p.trackingNumber}${p.location ? `, ${p.location}` : ''}`.slice(0, 200) },
    ]);
  },
  [DATA_ACCESSES]: receiveDataAccesses,
  [PERIOD_REVISED]: noteRevision,
};
