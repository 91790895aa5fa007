import { AsyncLocalStorage } from 'node:async_hooks';
import { type KeyObject, randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '../logger';
import { DEFAULT_HANDOVER, HandoverConfig } from '../config';
import { OutboxMessage } from './messaging.entities';
import { DestinationLane } from './delivery/destination.lane';
import { OutboxStore } from './delivery/outbox.store';

export { DISPATCH_LOCK } from './delivery/outbox.store';

export interface Message {
  destination: string;
  dossierCode: string;
  type: string;
  payload: Record<string, unknown>;
}

const enqueuedByRequest = new AsyncLocalStorage<string[]>();

/** Runs a request noting the ids of the messages it enqueues into `ids`, for deliverSoon to wait on. */
export function noteEnqueued<T>(ids: string[], run: () => Promise<T>): Promise<T> {
  return enqueuedByRequest.run(ids, run);
}

/** Written in the caller's transaction: the message exists if and only if the change that caused it does. */
export async function enqueue(m: EntityManager, messages: Message[]): Promise<void> {
  if (messages.length === 0) return;
  const rows = messages.map((message) => ({ ...message, messageId: randomUUID() }));
  await m.createQueryBuilder().insert().into(OutboxMessage).values(rows as never).updateEntity(false).execute();
  // A transaction that rolls back leaves ids of no row: deliverSoon finds nothing pending under them.
  enqueuedByRequest.getStore()?.push(...rows.map((r) => r.messageId));
}

/**
 * A replayed mutation (its idempotency key seen before) waits, like its first answer, for what its dossier still
 * has to hand over: a client retrying through another gateway must not get the answer before the dossier reached
 * the system its next step goes to.
 */
export async function notePendingFor(m: EntityManager, dossierCode: string): Promise<void> {
  const store = enqueuedByRequest.getStore();
  if (!store) return;
  const rows: { id: string }[] = await m.query(
    `SELECT message_id AS id FROM outbox_message WHERE dossier_code = $1 AND delivered_at IS NULL AND dead_at IS NULL`, [dossierCode],
  );
  store.push(...rows.map((r) => r.id));
}

export interface Peers {
  /** The base URL (no path) of a subgraph, by registry name. */
  baseUrl(name: string): string | undefined;
  /** The private key the system of that name signs its hand-overs with: this process's own. */
  privateKey(name: string): KeyObject;
  /** How to reach a subgraph hosted elsewhere over mutual TLS (<NAME>_TLS_*); none for a plain one. */
  dispatcher?(name: string): Dispatcher | undefined;
}

/**
 * Delivers the outbox until each message is acknowledged, in order per destination and dossier: a message waits
 * while an earlier one for the same destination and dossier is undelivered (pending or dead). Each destination
 * has a lane of its own (several deliveries in flight, a breaker, retries backing off with jitter up to
 * `backoffMaxMs`), so one that is slow or down delays no other. A message is dead after `maxAttempts` attempts or
 * `maxAgeMs`; dead, it waits for retryDeadHandovers, and so do the later ones of its dossier. Replicas on one
 * database share the work through leases (SKIP LOCKED); a receiver applies each message once (its inbox), so a
 * delivery applied but not acknowledged is harmless to repeat.
 */
export class OutboxDispatcher {
  private readonly store: OutboxStore;
  private readonly lanes = new Map<string, DestinationLane>();
  private timer?: NodeJS.Timeout;
  private looking?: Promise<DestinationLane[]>;
  private nextLook?: Promise<DestinationLane[]>;
  private stopped = false;
  private looksFailing = false;

  constructor(
    private readonly source: string,
    db: DataSource,
    private readonly peers: Peers,
    private readonly log: Logger,
    private readonly settings: HandoverConfig = DEFAULT_HANDOVER,
    private readonly intervalMs = 500,
  ) {
    this.store = new OutboxStore(db);
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.intervalMs);
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.nextLook;
    await this.looking;
    await Promise.all([...this.lanes.values()].map((l) => l.stop()));
    // Started again, it begins with fresh lanes (and breakers).
    this.lanes.clear();
  }

  /** Look for work now (after a commit that enqueued, or a revival of dead messages), or right after the look in progress. */
  kick(): void {
    void this.look();
  }

  /**
   * Delivers what the caller's transaction just enqueued before the caller answers, so a client reads its own
   * write across systems (a dossier received is already in its department's system); waits at most `waitMs`,
   * after which the outbox goes on retrying as always.
   */
  async deliverSoon(messageIds?: readonly string[], waitMs = 2_000): Promise<void> {
    if (messageIds?.length === 0) return;
    const until = Date.now() + waitMs;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
    });
    const settled = this.look().then((lanes) => Promise.all(lanes.map((l) => l.settled())));
    await Promise.race([settled, deadline]);
    clearTimeout(timer);
    // Another replica of this subgraph may have claimed them first: wait while it delivers them. One that failed,
    // or waits behind an open breaker, is no one's lease: the answer does not wait for a system that is down.
    let pause = 10;
    while (messageIds && Date.now() < until && !this.stopped) {
      if ((await this.store.inFlight(messageIds)) === 0) return;
      await new Promise((r) => setTimeout(r, Math.min(pause, Math.max(0, until - Date.now()))));
      pause = Math.min(pause * 2, 100);
    }
  }

  /**
   * Resolves true when nothing is pending (or false when `timeoutMs` passes): for tests and shutdown. Dead
   * messages are not pending: an outbox holding only dead ones is idle.
   */
  async idle(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await this.store.pending()) === 0) return true;
      this.kick();
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  /** One look at the outbox started after this call: wakes the lane of each destination with pending messages. */
  private look(): Promise<DestinationLane[]> {
    if (this.stopped) return Promise.resolve([]);
    if (!this.looking) {
      this.looking = this.wakeLanes().finally(() => (this.looking = undefined));
      return this.looking;
    }
    // The look in progress may have read the outbox before the caller's commit: one more follows it, shared by all who ask meanwhile.
    this.nextLook ??= this.looking.then(() => {
      this.nextLook = undefined;
      return this.look();
    });
    return this.nextLook;
  }

  private async wakeLanes(): Promise<DestinationLane[]> {
    let destinations: string[];
    try {
      destinations = await this.store.destinations();
      this.looksFailing = false;
    } catch (e) {
      // Said once while the database fails, not at every tick.
      if (!this.stopped && !this.looksFailing) this.log.error({ type: (e as Error).name }, 'outbox look failed; retrying');
      this.looksFailing = true;
      return [];
    }
    if (this.stopped) return [];
    return destinations.map((d) => {
      let lane = this.lanes.get(d);
      if (!lane) this.lanes.set(d, (lane = new DestinationLane(d, { source: this.source, store: this.store, peers: this.peers, log: this.log, settings: this.settings })));
      lane.wake();
      return lane;
    });
  }
}
