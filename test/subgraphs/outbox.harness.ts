import express from 'express';
import { devHandoverPrivateKey, devHandoverPublicKey } from '../../subgraphs/kit/messaging/handover.keys';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { DEFAULT_HANDOVER, HandoverConfig } from '../../subgraphs/kit/config';
import { createDataSource, openDatabase } from '../../subgraphs/kit/data-source';
import { createLogger, Logger } from '../../subgraphs/kit/logger';
import { handoverRoute } from '../../subgraphs/kit/messaging/handover';
import { MESSAGING_ENTITIES } from '../../subgraphs/kit/messaging/messaging.entities';
import { messagingMigrations } from '../../subgraphs/kit/messaging/migrations';
import { OutboxDispatcher, Peers } from '../../subgraphs/kit/messaging/outbox';
import { NonceCache } from '../../subgraphs/kit/signing';
import { testDatabaseUrl } from '../support/databases';

/** A database with the kit's messaging tables only: an outbox (a sender) or an inbox (a receiver). */
export async function messagingDatabase(prefix: string, name: string): Promise<DataSource> {
  const url = testDatabaseUrl(prefix, name);
  return openDatabase(createDataSource({ url, entities: MESSAGING_ENTITIES, migrations: messagingMigrations }), url);
}

export interface Receiver {
  name: string;
  url: string;
  db: DataSource;
  /** POST /handover requests that reached it, answered or not. */
  hits: number;
  /** Answer 503 to a request before it reaches the inbox, when this says so. */
  refuse: (message: { id: string; dossierCode: string; payload: Record<string, unknown> }) => boolean;
  /** What it applied, in the order it applied it. */
  applied(): Promise<{ source: string; messageId: string; dossierCode: string; n: number }[]>;
  close(): Promise<void>;
}

/**
 * A real receiver: the kit's POST /handover with its inbox, over HTTP, applying NOTE messages into a table of
 * its own (`applied`) in the same transaction; `refuse` stands in for a receiver that fails now and then.
 */
export async function startReceiver(prefix: string, name: string, sources: string[], log: Logger = createLogger('receiver', 'silent')): Promise<Receiver> {
  const db = await messagingDatabase(prefix, name);
  await db.query(`CREATE TABLE IF NOT EXISTS applied (seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, source text NOT NULL,
    message_id text NOT NULL, dossier_code text NOT NULL, n int NOT NULL)`);
  const app = express();
  const receiver: Receiver = {
    name,
    url: '',
    db,
    hits: 0,
    refuse: () => false,
    applied: () =>
      db.query(`SELECT source, message_id AS "messageId", dossier_code AS "dossierCode", n FROM applied ORDER BY seq`),
    close: async () => {
      await new Promise((r) => server.close(r));
      await db.destroy();
    },
  };
  app.post('/handover', express.raw({ type: () => true }), (req, res, next) => {
    receiver.hits++;
    const message = JSON.parse(req.body.toString('utf8'));
    if (receiver.refuse(message)) {
      res.status(503).json({ error: 'not now' });
      return;
    }
    // handoverRoute reads the raw body again.
    next();
  });
  handoverRoute(app, {
    publicKeyOf: (source) => (sources.includes(source) ? devHandoverPublicKey(source) : undefined),
    senders: { NOTE: sources },
    db,
    handlers: {
      NOTE: async (m, message) => {
        await m.query(`INSERT INTO applied (source, message_id, dossier_code, n) VALUES ($1, $2, $3, $4)`, [
          message.source,
          message.id,
          message.dossierCode,
          message.payload.n,
        ]);
      },
    },
    log,
    afterApply: () => undefined,
    nonces: new NonceCache(),
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}

/** A destination that is up but broken: answers every hand-over with 503 (or never, with `hang`), counting them. */
export async function startDeadEnd(o: { hang?: boolean } = {}): Promise<{ url: string; hits: number; close(): Promise<void> }> {
  const dead = {
    url: '',
    hits: 0,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  const app = express();
  app.post('/handover', (_req, res) => {
    dead.hits++;
    if (!o.hang) res.status(503).json({ error: 'down' });
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  dead.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return dead;
}

export function peersAt(urls: Record<string, string>): Peers {
  return { baseUrl: (name) => urls[name], privateKey: devHandoverPrivateKey };
}

export const dispatcher = (source: string, db: DataSource, peers: Peers, settings: Partial<HandoverConfig> = {}, log: Logger = createLogger('outbox', 'silent')) =>
  new OutboxDispatcher(source, db, peers, log, { ...DEFAULT_HANDOVER, ...settings });

/** Enqueues NOTE messages in the order given, numbered from `from` (payload n); answers their row ids. */
export async function note(db: DataSource, destination: string, dossiers: string[], o: { from?: number; nextAttemptAt?: string } = {}): Promise<string[]> {
  const rows: { id: string }[] = await db.query(
    `INSERT INTO outbox_message (destination, dossier_code, type, payload, next_attempt_at)
     SELECT $1, d, 'NOTE', jsonb_build_object('n', $3::int + i - 1), coalesce($4::timestamptz, now())
       FROM unnest($2::text[]) WITH ORDINALITY AS t(d, i) ORDER BY i RETURNING id`,
    [destination, dossiers, o.from ?? 1, o.nextAttemptAt ?? null],
  );
  return rows.map((r) => r.id);
}
