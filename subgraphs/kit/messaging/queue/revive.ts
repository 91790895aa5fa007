import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { SUBGRAPHS } from '../../../registry';
import type { Logger } from '../../logger';
import { Handler, RejectedMessage } from '../handover';
import { enqueue } from '../outbox';

export const REVIVE_DEAD = 'REVIVE_DEAD';

export const isSystem = (name: unknown): name is string => typeof name === 'string' && SUBGRAPHS.some((s) => s.name === name);

/** Gives this system's dead messages to `destination` a fresh start; the caller kicks the dispatcher after commit. */
export async function reviveDead(m: EntityManager, destination: string): Promise<number> {
  const [, revived] = await m.query(
    `UPDATE outbox_message SET dead_at = NULL, attempts = 0, next_attempt_at = now(), last_error = NULL
      WHERE destination = $1 AND delivered_at IS NULL AND dead_at IS NOT NULL`,
    [destination],
  );
  return revived;
}

/**
 * Asks every other system that might send to `destination` to revive its own dead messages there, by a hand-over
 * in the caller's transaction: no system touches another's outbox, and a system down now is asked when it is back.
 * The outbox keeps a dossier's messages in order and holds them behind a dead one; these need no order, so each
 * takes a code of its own, and a request that died holds up none that follow.
 */
export async function askToRevive(m: EntityManager, self: string, destination: string, requestId: string): Promise<string[]> {
  const asked = SUBGRAPHS.map((s) => s.name).filter((n) => n !== self && n !== destination);
  await enqueue(
    m,
    asked.map((to) => ({ destination: to, dossierCode: `queue:${randomUUID().replace(/-/g, '')}`, type: REVIVE_DEAD, payload: { destination, requestId } })),
  );
  return asked;
}

/** What every system accepts besides its own messages; the hand-over route kicks the dispatcher after each. */
export function queueHandlers(log: Logger): Record<string, Handler> {
  return {
    [REVIVE_DEAD]: async (m, message) => {
      const { destination, requestId } = message.payload;
      if (!isSystem(destination)) throw new RejectedMessage('REVIVE_DEAD names no system of the registry');
      const revived = await reviveDead(m, destination);
      log.info({ source: message.source, destination, revived, requestId: typeof requestId === 'string' ? requestId.slice(0, 64) : undefined }, 'dead hand-overs revived on request');
    },
  };
}
