import type { DataSource, EntityManager } from 'typeorm';
import { inBackground } from '../data-source';
import type { Logger } from '../logger';
import { DEFAULT_HANDOVER, HandoverConfig } from '../config';
import { signRequest } from '../signing';
import { OutboxMessage } from './messaging.entities';

export interface Message {
  destination: string;
  dossierCode: string;
  type: string;
  payload: Record<string, unknown>;
}

/** Written in the caller's transaction: the message exists if and only if the change that caused it does. */
export async function enqueue(m: EntityManager, messages: Message[]): Promise<void> {
  if (messages.length === 0) return;
  await m.createQueryBuilder().insert().into(OutboxMessage).values(messages as never).updateEntity(false).execute();
}

export interface Peers {
  /** The base URL (no path) of a subgraph, by registry name. */
  baseUrl(name: string): string | undefined;
  /** The secret that subgraph verifies hand-overs with. */
  secret(name: string): string;
}

const BACKOFF_MS = [250, 500, 1000, 2000, 5000, 10_000, 30_000];
export const DISPATCH_LOCK = 727_002;

/**
 * Delivers the outbox until each message is acknowledged, in order per dossier: a message waits while an
 * earlier one of the same dossier is undelivered. Retries back off up to 30 s; a receiver applies each
 * message once, so a delivery that was applied but not acknowledged is harmless to repeat.
 */
export class OutboxDispatcher {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(
    private readonly source: string,
    private readonly db: DataSource,
    private readonly peers: Peers,
    private readonly log: Logger,
    private readonly settings: HandoverConfig = DEFAULT_HANDOVER,
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.intervalMs);
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Deliver now (after a commit that enqueued), or right after the round in progress. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        this.kick();
      }
    });
  }

  /**
   * Delivers what the caller's transaction just enqueued before the caller answers, so a client reads its own
   * write across systems (a dossier received is already in its department's system); waits at most `waitMs`,
   * after which the outbox goes on retrying as always.
   */
  async deliverSoon(waitMs = 2_000): Promise<void> {
    this.kick();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
    });
    // A round in progress when the kick came is followed by one that includes this commit: wait for both.
    const rounds = (async () => {
      while (this.running) await this.running;
    })();
    await Promise.race([rounds, deadline]);
    clearTimeout(timer);
  }

  /** Resolves when nothing is left to deliver (or `timeoutMs` passes): for tests and shutdown. */
  async idle(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const [{ n }] = await inBackground(this.db, (q) => q('SELECT count(*)::int AS n FROM outbox_message WHERE delivered_at IS NULL'));
      if (n === 0) return true;
      this.kick();
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  private async drain(): Promise<void> {
    try {
      await inBackground(this.db, async (q) => {
        // One dispatcher at a time per database, so that replicas of a subgraph keep each dossier's order.
        const [{ leader }] = await q('SELECT pg_try_advisory_lock($1) AS leader', [DISPATCH_LOCK]);
        if (!leader) return;
        try {
          await this.round(q);
        } finally {
          await q('SELECT pg_advisory_unlock($1)', [DISPATCH_LOCK]);
        }
      });
    } catch (e) {
      if (!this.stopped) this.log.error({ type: (e as Error).name }, 'outbox round failed');
    }
  }

  private async round(query: (sql: string, params?: unknown[]) => Promise<any>): Promise<void> {
    {
      const rows: (OutboxMessage & { due: boolean })[] = await query(
        `SELECT id, destination, dossier_code AS "dossierCode", type, payload, attempts, next_attempt_at <= now() AS due
           FROM outbox_message WHERE delivered_at IS NULL ORDER BY id LIMIT 500`,
      );
      const blocked = new Set<string>();
      for (const row of rows) {
        if (this.stopped) return;
        if (blocked.has(row.dossierCode)) continue;
        if (!row.due) {
          blocked.add(row.dossierCode);
          continue;
        }
        try {
          await this.deliver(row);
          await query('UPDATE outbox_message SET delivered_at = now() WHERE id = $1', [row.id]);
        } catch (e) {
          blocked.add(row.dossierCode);
          const wait = BACKOFF_MS[Math.min(row.attempts, BACKOFF_MS.length - 1)];
          await query(
            `UPDATE outbox_message SET attempts = attempts + 1, last_error = $2,
               next_attempt_at = now() + make_interval(secs => $3::float / 1000) WHERE id = $1`,
            [row.id, String((e as Error).message).slice(0, 200), wait],
          );
          if (row.attempts === 0) this.log.warn({ destination: row.destination, type: row.type, messageId: row.id }, 'hand-over not delivered; will retry');
        }
      }
    }
  }

  private async deliver(row: OutboxMessage): Promise<void> {
    const base = this.peers.baseUrl(row.destination);
    if (!base) throw new Error(`no address for ${row.destination}`);
    const body = JSON.stringify({
      id: `${this.source}:${row.id}`,
      source: this.source,
      type: row.type,
      dossierCode: row.dossierCode,
      payload: row.payload,
    });
    const headers = signRequest(this.peers.secret(row.destination), {
      method: 'POST',
      path: '/handover',
      body,
      identity: { subject: this.source, role: 'SERVICE' },
      requestId: `outbox-${this.source}-${row.id}`.slice(0, 64),
    });
    const res = await fetch(`${base}/handover`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`${row.destination} answered ${res.status}`);
  }
}
