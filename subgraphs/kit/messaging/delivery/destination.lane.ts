import { randomUUID } from 'node:crypto';
import { BrokenCircuitError, CircuitBreakerPolicy, CircuitState, ConsecutiveBreaker, ExponentialBackoff, circuitBreaker, halfJitterGenerator, handleWhen } from 'cockatiel';
import type { IBackoff, IHalfOpenAfterBackoffContext } from 'cockatiel';
import type { HandoverConfig } from '../../config';
import type { Logger } from '../../logger';
import type { Peers } from '../outbox';
import { DeliveryFailed, MessageRefused, postHandover } from './handover.client';
import type { Claimed, OutboxStore } from './outbox.store';

/** Consecutive failures after which a destination's breaker opens; it is then probed with one message at a time. */
export const BREAKER_FAILURES = 5;
/**
 * The wait before probing an open destination, doubling after each failed probe up to HandoverConfig.backoffMaxMs;
 * each wait is drawn from its upper half (at least half of it).
 */
export const BREAKER_FIRST_PROBE_MS = 1_000;
const FIRST_RETRY_MS = 250;
/** How often an open destination's messages are checked against the age limit. */
const EXPIRE_EVERY_MS = 10_000;

/**
 * The wait before a message's next attempt: doubling from 250 ms, capped at `maxMs` so that a receiver back from an
 * outage gets its backlog within a minute, and spread over its upper half so that messages failed together do not
 * come back together.
 */
export function retryDelayMs(attempts: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, FIRST_RETRY_MS * 2 ** Math.min(attempts, 20));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** The backoff cockatiel's breaker follows, telling when it will let the next probe through. */
function observed(b: IBackoff<IHalfOpenAfterBackoffContext>, seen: (ms: number) => void): IBackoff<IHalfOpenAfterBackoffContext> {
  seen(b.duration);
  return { duration: b.duration, next: (context) => observed(b.next(context), seen) };
}

/**
 * Deliveries to one destination: up to `concurrency` at once, behind a breaker of its own, so a destination that
 * is slow or down holds up nothing but itself. Woken when there may be work; claims until there is none or no room.
 */
export class DestinationLane {
  private readonly breaker: CircuitBreakerPolicy;
  private probeAt = 0;
  private down = false;
  private inFlight = 0;
  private claiming = false;
  private wanted = false;
  private stopped = false;
  private expiredAt = 0;
  private claimsFailing = false;
  private readonly sends = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  /** One promise for everyone waiting for the lane to settle, however many mutations wait on a busy lane. */
  private quietAgain?: { promise: Promise<void>; resolve: () => void };

  constructor(
    readonly destination: string,
    private readonly o: { source: string; store: OutboxStore; peers: Peers; log: Logger; settings: HandoverConfig },
  ) {
    const first = new ExponentialBackoff({ generator: halfJitterGenerator, initialDelay: BREAKER_FIRST_PROBE_MS, maxDelay: o.settings.backoffMaxMs });
    // A message the receiver refuses (it answered, about that message) says nothing about the destination.
    this.breaker = circuitBreaker(handleWhen((e) => !(e instanceof MessageRefused)), {
      breaker: new ConsecutiveBreaker(BREAKER_FAILURES),
      halfOpenAfter: { next: () => observed(first.next(), (ms) => (this.probeAt = Date.now() + ms + 10)) },
    });
    this.breaker.onBreak(() => {
      if (this.down) return;
      this.down = true;
      o.log.warn({ destination }, 'hand-overs to a destination paused: it does not answer; probing it');
    });
    this.breaker.onReset(() => {
      this.down = false;
      o.log.info({ destination }, 'hand-overs to a destination resumed');
      this.wake();
    });
  }

  /** Whether its breaker holds deliveries back (open, or probing). */
  get open(): boolean {
    return this.breaker.state !== CircuitState.Closed;
  }

  /** There may be work: claim it, now or right after the claim in progress. */
  wake(): void {
    if (this.stopped) return;
    this.wanted = true;
    if (!this.claiming) void this.fill();
  }

  /** Resolves once it has nothing it can do now: no claim under way, nothing in flight, or its destination open. */
  settled(): Promise<void> {
    if (this.quiet()) return Promise.resolve();
    if (!this.quietAgain) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.quietAgain = { promise, resolve };
    }
    return this.quietAgain.promise;
  }

  /** Stops claiming and cuts the deliveries in flight short, handing their messages back for any replica to take. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    while (this.claiming || this.sends.size > 0) await Promise.race([...this.sends, new Promise((r) => setTimeout(r, 20))]);
    this.notify();
  }

  private quiet(): boolean {
    return this.stopped || (!this.claiming && !this.wanted && (this.inFlight === 0 || this.open));
  }

  private notify(): void {
    if (!this.quiet() || !this.quietAgain) return;
    this.quietAgain.resolve();
    this.quietAgain = undefined;
  }

  /** How many more it may send now: its concurrency when closed; one probe when the breaker would let it through. */
  private room(): number {
    switch (this.breaker.state) {
      case CircuitState.Closed:
        return this.o.settings.concurrency - this.inFlight;
      case CircuitState.Open:
        return this.inFlight === 0 && Date.now() >= this.probeAt ? 1 : 0;
      default:
        return 0;
    }
  }

  private async fill(): Promise<void> {
    this.claiming = true;
    try {
      while (this.wanted && !this.stopped) {
        this.wanted = false;
        await this.expireWhileOpen();
        const room = this.room();
        if (room <= 0) break;
        const token = randomUUID();
        const batch = await this.o.store.claim(this.destination, room, this.leaseMs(), token);
        for (const m of batch) this.track(this.send(m, token));
        // A full batch may have left more behind it; an empty one means nothing is due.
        if (batch.length === room) this.wanted = true;
        this.claimsFailing = false;
      }
    } catch (e) {
      // Said once while the database fails, not at every tick.
      if (!this.stopped && !this.claimsFailing) this.o.log.error({ destination: this.destination, type: (e as Error).name }, 'outbox claim failed; retrying');
      this.claimsFailing = true;
    } finally {
      this.claiming = false;
      this.notify();
    }
  }

  private track(send: Promise<void>): void {
    this.inFlight++;
    this.sends.add(send);
    void send.finally(() => {
      this.inFlight--;
      this.sends.delete(send);
      this.wake();
      this.notify();
    });
  }

  private async send(m: Claimed, token: string): Promise<void> {
    const { store, peers, source, settings, log } = this.o;
    try {
      await this.breaker.execute(() => postHandover(peers, source, m, settings.timeoutMs, this.stopping.signal));
    } catch (e) {
      if (e instanceof BrokenCircuitError || this.stopped) return store.released(m.id, token).catch(() => undefined);
      const reason = e instanceof DeliveryFailed ? e.message : 'failed';
      const dead = await store.failed(m, token, reason, retryDelayMs(m.attempts, settings.backoffMaxMs), settings).catch(() => false);
      if (dead) log.warn({ destination: m.destination, type: m.type, messageId: m.messageId, attempts: m.attempts + 1 }, 'hand-over dead-lettered; retryDeadHandovers revives it');
      else log.debug({ destination: m.destination, type: m.type, messageId: m.messageId, reason }, 'hand-over not delivered; will retry');
      return;
    }
    await store.delivered(m.id).catch((e) => log.error({ destination: m.destination, type: (e as Error).name }, 'delivered hand-over not recorded; it will be sent again'));
  }

  /** While the destination is open its messages are not attempted; the age limit still applies (checked now and then). */
  private async expireWhileOpen(): Promise<void> {
    if (!this.open || Date.now() - this.expiredAt < EXPIRE_EVERY_MS) return;
    this.expiredAt = Date.now();
    for (const m of await this.o.store.expire(this.destination, this.o.settings.maxAgeMs)) {
      this.o.log.warn({ destination: this.destination, type: m.type, messageId: m.messageId, attempts: m.attempts }, 'hand-over dead-lettered; retryDeadHandovers revives it');
    }
  }

  /**
   * Longer than any delivery takes, so another replica takes a message over only from one that died. Were it
   * taken over early, the message would reach the receiver twice, which its inbox absorbs, and still in order: the
   * next one of its dossier waits for an acknowledgement.
   */
  private leaseMs(): number {
    return Math.max(2 * this.o.settings.timeoutMs, this.o.settings.timeoutMs + 2_000);
  }
}
