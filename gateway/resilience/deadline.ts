import type { ResilienceConfig } from '../../subgraphs/kit/config';

export type OperationKind = 'query' | 'mutation';

/**
 * The time one client request has in all, counted from its arrival: each subgraph call gets only what is left,
 * so a slow system early in a plan cannot push the answer past what the client was promised. A mutation's request
 * gets the mutation timeout when that is longer: a mutation is never retried, and cutting it short would leave its
 * outcome unknown more often than waiting does.
 */
export class RequestDeadline {
  private constructor(
    /** performance.now() at arrival. */
    readonly arrivedAt: number,
    private readonly queryMs: number,
    private readonly mutationMs: number,
  ) {}

  static of(config: Pick<ResilienceConfig, 'deadlineMs' | 'mutationTimeoutMs'>, arrivedAt = performance.now()): RequestDeadline {
    return new RequestDeadline(arrivedAt, config.deadlineMs, Math.max(config.deadlineMs, config.mutationTimeoutMs));
  }

  /** Milliseconds left for a request of this kind; 0 or less when spent. */
  leftMs(kind: OperationKind, now = performance.now()): number {
    return this.arrivedAt + (kind === 'mutation' ? this.mutationMs : this.queryMs) - now;
  }
}
