import type { Handler } from '../messaging/handover';
import { CLOSE_PERIOD, receivePeriodClose } from './period-close.handover';
import { monthOf } from './period.store';
import { batchOf, recordRevision } from './period-revision';

export const LATE_HANDOVER = 'a dossier received in the month was handed over after the month was closed here';

/**
 * A department system's part in closed periods: it freezes a month when the register closes it, and a dossier
 * handed over into a month it has closed already (sent before the close, delivered after) is kept as a revision of
 * that month, not folded into its published figures.
 */
export function periodHandlers(system: string, handlers: Record<string, Handler>, auditKey: string): Record<string, Handler> {
  const handOver = handlers.HANDOVER;
  return {
    [CLOSE_PERIOD]: receivePeriodClose(system, auditKey),
    ...(handOver && {
      HANDOVER: async (m, message) => {
        await handOver(m, message);
        const month = monthOf(new Date(message.payload.receivedAt));
        if (month === monthOf(new Date())) return;
        await recordRevision(m, auditKey, system, {
          month,
          departmentCode: message.payload.departmentCode,
          reason: typeof message.payload.correction === 'string' ? message.payload.correction : LATE_HANDOVER,
          by: message.source,
          batch: batchOf(message.source, message.id),
        });
      },
    }),
  };
}
