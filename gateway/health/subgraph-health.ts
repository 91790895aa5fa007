import type { Gauge } from 'prom-client';
import { request, type Agent } from 'undici';
import type { SubgraphClientTls } from '../../subgraphs/kit/tls/tls.config';
import { subgraphAgent } from '../http/subgraph-tls';

export type SubgraphState = 'up' | 'down';

/**
 * Each subgraph's readiness, probed in the background (2 s timeout, every 3 s: a frozen or dead subgraph shows
 * `down` within 5 s and `up` again as soon after its return). It tells operators which system is out; it never
 * makes the gateway itself unready, or one hung department would take every gateway out of the load balancer.
 */
export class SubgraphHealth {
  private readonly state: Record<string, SubgraphState>;
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  /** A subgraph reached over mutual TLS is probed with the certificates its calls use. */
  private readonly agents: Map<string, Agent>;

  constructor(
    private readonly readinessUrls: Record<string, string>,
    private readonly up?: Gauge<'subgraph'>,
    tls: Record<string, SubgraphClientTls> = {},
    private readonly intervalMs = 3_000,
    private readonly timeoutMs = 2_000,
  ) {
    this.state = Object.fromEntries(Object.keys(readinessUrls).map((n) => [n, 'down' as SubgraphState]));
    this.agents = new Map(Object.entries(tls).map(([n, t]) => [n, subgraphAgent(t)]));
  }

  /** Starts probing; resolves after the first round, so the first answer is already true. */
  start(): Promise<void> {
    this.timer = setInterval(() => void this.probe(), this.intervalMs);
    this.timer.unref();
    return this.probe();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.round;
    await Promise.all([...this.agents.values()].map((a) => a.close()));
  }

  snapshot(): Record<string, SubgraphState> {
    return { ...this.state };
  }

  private probe(): Promise<void> {
    // A round still running (every probe waits out its timeout) is not doubled.
    this.round ??= Promise.all(
      Object.entries(this.readinessUrls).map(async ([name, url]) => {
        const ok = await request(url, { signal: AbortSignal.timeout(this.timeoutMs), dispatcher: this.agents.get(name) }).then(
          async (r) => {
            await r.body.dump();
            return r.statusCode >= 200 && r.statusCode < 300;
          },
          () => false,
        );
        this.state[name] = ok ? 'up' : 'down';
        this.up?.set({ subgraph: name }, ok ? 1 : 0);
      }),
    ).then(() => {
      this.round = undefined;
    });
    return this.round;
  }
}
