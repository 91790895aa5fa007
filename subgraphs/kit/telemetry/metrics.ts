import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestHandler } from '../graphql-route';

/**
 * One registry per server, not prom-client's global one: tests run the gateway and five subgraphs in one process,
 * and each must expose only its own figures. Label values come from closed sets (operation types, outcomes,
 * registry names); the one a client names, field usage's `client` (gateway/usage), is capped there.
 */
export interface GraphQLMetrics {
  registry: Registry;
  requests: Counter<'operation_type' | 'outcome'>;
  duration: Histogram<'operation_type'>;
}

export type Outcome = 'ok' | 'refused' | 'error';
export type OperationType = 'query' | 'mutation' | 'subscription' | 'unknown';

const SECONDS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function graphqlMetrics(service: string, o: { processMetrics?: boolean } = {}): GraphQLMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  // Event-loop and GC observers run for the life of the process: only the process's own entry point asks for them.
  if (o.processMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: 'motcua_graphql_requests_total',
      help: 'GraphQL requests answered, by operation type and outcome (ok, refused: a coded client error, error: internal).',
      labelNames: ['operation_type', 'outcome'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'motcua_graphql_request_duration_seconds',
      help: 'Time from a GraphQL request arriving to its answer being sent.',
      labelNames: ['operation_type'],
      buckets: SECONDS,
      registers: [registry],
    }),
  };
}

/** The gateway's calls to each subgraph. */
export function subgraphCallMetrics(registry: Registry) {
  return {
    requests: new Counter({
      name: 'motcua_subgraph_requests_total',
      help: 'Calls from the gateway to a subgraph, by outcome (ok, refused: a coded error the subgraph wrote, error: failed or internal).',
      labelNames: ['subgraph', 'outcome'] as const,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'motcua_subgraph_request_duration_seconds',
      help: 'Time of one call from the gateway to a subgraph.',
      labelNames: ['subgraph'] as const,
      buckets: SECONDS,
      registers: [registry],
    }),
    reloads: new Counter({
      name: 'motcua_supergraph_reloads_total',
      help: 'Attempts to replace the served supergraph: loaded, or refused (invalid; the old one is kept).',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    circuitOpen: new Gauge({
      name: 'motcua_subgraph_circuit_open',
      help: "1 while the gateway's circuit breaker to the subgraph is open (calls fail at once) or half-open, 0 when closed.",
      labelNames: ['subgraph'] as const,
      registers: [registry],
    }),
    reportCache: new Counter({
      name: 'motcua_report_cache_total',
      help: 'Report operations over closed months by what the cache did: hit, miss, revised (kept, but a system has revised a closed month since), skip (the revision mark could not be read).',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    requestsJoined: new Counter({
      name: 'motcua_graphql_requests_joined_total',
      help: "Queries not executed because the same caller's identical query was in flight: given a copy of its answer.",
      registers: [registry],
    }),
    inflightJoined: new Counter({
      name: 'motcua_subgraph_inflight_joined_total',
      help: "Subgraph queries not sent because the same caller's identical query to that subgraph was in flight: they share its answer.",
      labelNames: ['subgraph'] as const,
      registers: [registry],
    }),
    subgraphUp: new Gauge({
      name: 'motcua_subgraph_up',
      help: '1 when the subgraph answered its readiness probe last time, 0 otherwise.',
      labelNames: ['subgraph'] as const,
      registers: [registry],
    }),
  };
}

export interface PoolState {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/**
 * Read at scrape time, from the subgraph's own database: what waits in the outbox per destination, and the state of
 * its connection pools. A failing read leaves the gauges unset rather than failing the scrape.
 */
export function subgraphStateMetrics(
  registry: Registry,
  o: { destinations: string[]; outbox(): Promise<{ destination: string; pending: number; dead: number; oldestSeconds: number }[]>; pools(): Record<string, PoolState | undefined> },
): void {
  // Both outbox gauges come from one statement per scrape (a scrape collects its metrics concurrently).
  let reading: Promise<Awaited<ReturnType<typeof o.outbox>> | null> | undefined;
  const read = () => {
    reading ??= o.outbox().catch(() => null).finally(() => setTimeout(() => (reading = undefined), 100).unref());
    return reading;
  };
  const outboxGauge = (name: string, help: string, value: (r: { pending: number; dead: number; oldestSeconds: number }) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['destination'] as const,
      registers: [registry],
      async collect() {
        const rows = await read();
        if (!rows) return;
        for (const d of o.destinations) {
          const row = rows.find((r) => r.destination === d);
          this.set({ destination: d }, row ? value(row) : 0);
        }
      },
    });
  outboxGauge('motcua_outbox_pending', 'Hand-overs written, not yet acknowledged and still being tried, by destination (dead ones are motcua_outbox_dead).', (r) => r.pending);
  outboxGauge('motcua_outbox_dead', 'Hand-overs given up after too many attempts or too long, waiting for retryDeadHandovers, by destination.', (r) => r.dead);
  outboxGauge('motcua_outbox_oldest_pending_seconds', 'Age of the oldest hand-over not yet acknowledged by its destination (0 when none waits).', (r) => r.oldestSeconds);
  const pool = (name: string, help: string, read: (p: PoolState) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['pool'] as const,
      registers: [registry],
      collect() {
        for (const [label, p] of Object.entries(o.pools())) if (p) this.set({ pool: label }, read(p));
      },
    });
  pool('motcua_db_pool_connections', 'Connections the pool holds to the subgraph database.', (p) => p.totalCount);
  pool('motcua_db_pool_idle_connections', 'Connections of the pool not in use.', (p) => p.idleCount);
  pool('motcua_db_pool_waiting_requests', 'Queries waiting for a connection of the pool.', (p) => p.waitingCount);
}

/** GET /metrics in Prometheus' text format, on the public app (development) or a port of its own (production). */
export function metricsHandler(registry: Registry): RequestHandler {
  return (req, res) => {
    if ((req.url ?? '').split('?')[0] !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
        res.end(text);
      },
      () => res.writeHead(500).end(),
    );
  };
}
