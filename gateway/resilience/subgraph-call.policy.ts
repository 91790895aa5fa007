import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  IBackoff,
  IBackoffFactory,
  retry,
} from 'cockatiel';
import type { Gauge } from 'prom-client';
import { DEFAULT_RESILIENCE, ResilienceConfig } from '../../subgraphs/kit/config';
import type { Logger } from '../../subgraphs/kit/logger';
import type { OperationKind } from './deadline';

/**
 * Why a call to a subgraph gave no answer: it could not connect (or the connection broke), answered 5xx or
 * something that is not GraphQL, ran out of its own time or of the request's, or was not made (the circuit is open,
 * or the request's time was already spent).
 */
export type CallFailure = 'connection' | 'status' | 'answer' | 'timeout' | 'deadline' | 'open' | 'spent';

export class SubgraphCallFailed extends Error {
  constructor(
    readonly reason: CallFailure,
    readonly status?: number,
  ) {
    super(`subgraph call failed: ${reason}${status ? ` ${status}` : ''}`);
    this.name = 'SubgraphCallFailed';
  }

  /** A query may be sent again when it did not get through, or a proxy or the subgraph said it could not serve now. */
  get retriable(): boolean {
    return this.reason === 'connection' || (this.reason === 'status' && (this.status === 502 || this.status === 503 || this.status === 504));
  }

  /**
   * What says the subgraph itself is failing. A call never made says nothing; one cut by the request's deadline
   * counts, as it had all that was left of it and got no answer.
   */
  get counts(): boolean {
    return this.reason !== 'open' && this.reason !== 'spent';
  }
}

export interface CallBudget {
  kind: OperationKind;
  /** The subgraph's own timeout for one attempt of this kind of call. */
  timeoutMs: number;
  /** What is left of the client request's deadline, now. */
  leftMs(): number;
}

/** The first retry waits about this long (decorrelated jitter), a second about twice; never past the deadline. */
const BACKOFF = new ExponentialBackoff({ initialDelay: 100, maxDelay: 1_000 });
const retriable = handleWhen((e) => e instanceof SubgraphCallFailed && e.retriable);
const counted = handleWhen((e) => e instanceof SubgraphCallFailed && e.counts);

/** A backoff that never waits past the deadline: the attempt after it then fails at once as spent. */
function within(factory: IBackoffFactory<unknown>, leftMs: () => number): IBackoffFactory<unknown> {
  const capped = (b: IBackoff<unknown>): IBackoff<unknown> => ({
    duration: Math.max(0, Math.min(b.duration, leftMs())),
    next: (context) => capped(b.next(context)),
  });
  return { next: (context) => capped(factory.next(context)) };
}

/**
 * How the gateway calls one subgraph: each attempt bounded by the subgraph's timeout and what is left of the
 * request's deadline (its AbortSignal also takes a request still queued for a connection out of the queue); a query
 * retried on a connection error or 502/503/504, at most `retries` times, with backoff; every attempt through one
 * circuit breaker per subgraph (cockatiel), which opens after `circuitFailures` consecutive failures or timeouts.
 * While it is open, and while its half-open probe is out, calls fail at once.
 */
export class SubgraphCallPolicy {
  private readonly breaker: CircuitBreakerPolicy;

  constructor(
    subgraph: string,
    private readonly config: Pick<ResilienceConfig, 'retries' | 'circuitFailures' | 'circuitHalfOpenAfterMs'> & Partial<Pick<ResilienceConfig, 'circuitFirstProbeMs'>>,
    o: { gauge: Gauge<'subgraph'>; log: Logger },
  ) {
    // The first probe soon (a restart or a database blip is over in a second or two), then doubling, with jitter, up
    // to circuitHalfOpenAfterMs: a short outage does not outlast itself, a long one is not probed without end.
    const first = Math.min(config.circuitFirstProbeMs ?? DEFAULT_RESILIENCE.circuitFirstProbeMs, config.circuitHalfOpenAfterMs);
    const halfOpenAfter = new ExponentialBackoff({ initialDelay: first, maxDelay: config.circuitHalfOpenAfterMs });
    this.breaker = circuitBreaker(counted, { halfOpenAfter, breaker: new ConsecutiveBreaker(config.circuitFailures) });
    o.gauge.set({ subgraph }, 0);
    let previous = CircuitState.Closed;
    this.breaker.onStateChange((state) => {
      o.gauge.set({ subgraph }, state === CircuitState.Closed ? 0 : 1);
      // Once per outage and once per recovery: a failed half-open probe reopens silently.
      if (state === CircuitState.Open && previous === CircuitState.Closed) {
        o.log.warn({ subgraph, failures: config.circuitFailures, retryAfterMs: config.circuitHalfOpenAfterMs }, 'circuit opened: calls to the subgraph fail at once');
      } else if (state === CircuitState.Closed && previous !== CircuitState.Closed) {
        o.log.info({ subgraph }, 'circuit closed: the subgraph answers again');
      }
      previous = state;
    });
  }

  get open(): boolean {
    return this.breaker.state !== CircuitState.Closed;
  }

  /** Runs `attempt` under the policy; a failure is a SubgraphCallFailed, anything else `attempt` threw passes. */
  run<T>(budget: CallBudget, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const once = () => this.once(budget, attempt);
    if (budget.kind === 'mutation' || this.config.retries === 0) return once();
    return retry(retriable, { maxAttempts: this.config.retries, backoff: within(BACKOFF, budget.leftMs) }).execute(once);
  }

  private async once<T>(budget: CallBudget, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const left = budget.leftMs();
    if (left <= 0) throw new SubgraphCallFailed('spent');
    // cockatiel would hold this call until the probe ends, up to a whole timeout: fail it now instead.
    if (this.breaker.state === CircuitState.HalfOpen) throw new SubgraphCallFailed('open');
    // AbortSignal.timeout takes whole milliseconds only.
    const ms = Math.ceil(Math.min(budget.timeoutMs, left));
    try {
      return await this.breaker.execute(async () => {
        const signal = AbortSignal.timeout(ms);
        try {
          return await attempt(signal);
        } catch (e) {
          if (signal.aborted) throw new SubgraphCallFailed(ms < budget.timeoutMs ? 'deadline' : 'timeout');
          throw e;
        }
      });
    } catch (e) {
      if (e instanceof BrokenCircuitError) throw new SubgraphCallFailed('open');
      throw e;
    }
  }
}
