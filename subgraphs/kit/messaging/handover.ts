import type { KeyObject } from 'node:crypto';
import express from 'express';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '../logger';
import { NonceStore, verifyHandover } from '../signing';
import { holdsNul } from '../graphql-route';

export interface Delivered {
  /** The sender's message id: a UUID, or `<source>:<row id>` for a message written before message ids existed. */
  id: string;
  source: string;
  type: string;
  dossierCode: string;
  payload: Record<string, any>;
}

/** Applies one message in the receiver's transaction; throwing rolls it back and the sender retries. */
export type Handler = (m: EntityManager, message: Delivered) => Promise<void>;

export class RejectedMessage extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A UUID, or the key its sender used before message ids existed (kept for the messages written then). */
const wellFormedId = (id: unknown, source: string) =>
  typeof id === 'string' && (UUID.test(id) || (id.startsWith(`${source}:`) && /^\d{1,19}$/.test(id.slice(source.length + 1))));

/**
 * POST /handover: messages from other systems, each signed as SERVICE with its sender's own key (`publicKeyOf`
 * answers the public key of every system that may deliver here), and of a type its sender may send (`senders`,
 * by type: SENDERS in the subgraphs). Each is applied at
 * most once: its sender and message id go into the inbox in the same transaction as its effect. The id is the
 * sender's UUID, not its row id, which a sender restored from a backup would hand out again.
 */
export function handoverRoute(
  app: express.Express,
  o: {
    publicKeyOf: (source: string) => KeyObject | undefined;
    senders: Readonly<Record<string, readonly string[]>>;
    db: DataSource;
    handlers: Record<string, Handler>;
    log: Logger;
    afterApply: () => void;
    nonces: NonceStore;
  },
): void {
  app.post('/handover', express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verdict = await verifyHandover(o.publicKeyOf, { method: req.method, path: req.originalUrl, body, headers: req.headers }, o.nonces);
    if (!verdict.ok && verdict.unavailable) {
      // The sender retries: a message refused for want of the nonce store is not lost.
      res.status(503).json({ error: 'unavailable' });
      return;
    }
    if (!verdict.ok || verdict.identity.role !== 'SERVICE') {
      o.log.warn({ reason: verdict.ok ? 'not a system' : verdict.reason }, 'refused a hand-over');
      res.status(403).json({ error: 'access denied' });
      return;
    }
    let message: Delivered;
    try {
      message = JSON.parse(body.toString('utf8'));
    } catch {
      res.status(400).json({ error: 'not JSON' });
      return;
    }
    // PostgreSQL stores no NUL in text: applying it would fail on every retry. 400 is a message fault, not retried.
    if (holdsNul(message)) {
      res.status(400).json({ error: 'a value holds a NUL character' });
      return;
    }
    const handler = o.handlers[message.type];
    if (!handler || message.source !== verdict.identity.subject || !wellFormedId(message.id, message.source)) {
      res.status(422).json({ error: 'unknown message' });
      return;
    }
    if (!o.senders[message.type]?.includes(message.source)) {
      // Signed by its sender, so no forgery, but not a message that system sends: a fault or a system taken over.
      o.log.warn({ type: message.type, source: message.source }, 'refused a hand-over its sender may not send');
      res.status(403).json({ error: 'access denied' });
      return;
    }
    try {
      await o.db.transaction(async (m) => {
        const fresh = await m.query(
          `INSERT INTO inbox_message (source, message_id, type) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING message_id`,
          [message.source, message.id, message.type],
        );
        if (fresh.length > 0) await handler(m, message);
      });
      o.afterApply();
      res.json({ ok: true });
    } catch (e) {
      // A message that cannot apply to the state here (a withdrawal crossing a decision) would block its
      // dossier's queue for ever: it is acknowledged as rejected, logged, and left to reconciliation.
      const code = (e as { extensions?: { code?: string } }).extensions?.code;
      if (e instanceof RejectedMessage || code === 'CONFLICT' || code === 'NOT_FOUND') {
        await o.db.query(
          `INSERT INTO inbox_message (source, message_id, type) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
          [message.source, message.id, `${message.type}:REJECTED`.slice(0, 32)],
        );
        o.log.warn({ type: message.type, source: message.source, dossierCode: message.dossierCode, reason: (e as Error).message }, 'hand-over rejected');
        res.json({ ok: false, rejected: (e as Error).message });
        return;
      }
      o.log.error({ type: message.type, source: message.source, reason: (e as Error).name }, 'hand-over not applied; the sender will retry');
      res.status(500).json({ error: 'not applied' });
    }
  });
}
