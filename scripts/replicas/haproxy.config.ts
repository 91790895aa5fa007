import type { Config } from '../../subgraphs/kit/config';

/** One balanced service: where HAProxy listens for it, and the replicas it spreads calls over. */
export interface BalancedService {
  name: string;
  port: number;
  /** Each replica's port on `host`, in replica order (named `<name>-1`, `<name>-2`, …). */
  replicas: number[];
}

export interface HaproxySettings {
  host: string;
  services: BalancedService[];
  /** Stats (`/stats;csv`) and HAProxy's own liveness (`/haproxy-ready`), apart from the balanced ports. */
  statsPort: number;
  /** The longest a replica may take to answer (serverTimeoutMs). */
  serverTimeoutMs: number;
  /** How often each replica's /readiness is probed; two failures in a row take it out, two successes put it back. */
  checkIntervalMs?: number;
}

/**
 * Above the longest any caller waits for a replica: the gateway's whole request deadline, or a hand-over's delivery
 * timeout. HAProxy cutting in first would turn an answer still on its way into a 504.
 */
export function serverTimeoutMs(config: Pick<Config, 'gateway' | 'handover'>): number {
  return Math.max(config.gateway.resilience.deadlineMs, config.handover.timeoutMs) + 5_000;
}

export const STATS_PATH = '/stats';
export const READY_PATH = '/haproxy-ready';

/**
 * The HAProxy configuration of a replica set. The rules that keep mutations safe:
 *
 * - `retry-on conn-failure` only, with `option redispatch 1`: a call whose connection could not be opened (a
 *   replica killed, or drained past its grace and refusing connections) goes to another replica, as it never
 *   reached one. `empty-response`, `response-timeout` and the 5xx conditions are left out: each may follow a request
 *   that a replica received and committed before dying, and HAProxy cannot know whether a POST is idempotent. The
 *   client (or the outbox, whose receivers apply each message once) retries those, with its idempotency key.
 * - `option forwardfor`: the gateways (TRUSTED_PROXIES) count each anonymous client by its own address, not HAProxy's.
 * - `timeout connect` short, so a replica that does not answer its SYN costs little before the redispatch.
 * - Health checks on `/readiness`: a draining replica (503) or one whose database is away leaves the rotation,
 *   and one that restarts comes back only once it can serve.
 */
export function renderHaproxyConfig(s: HaproxySettings): string {
  const inter = s.checkIntervalMs ?? 500;
  const lines = [
    'global',
    '  maxconn 4096',
    '',
    'defaults',
    '  mode http',
    '  timeout connect 500ms',
    '  timeout client 60s',
    `  timeout server ${s.serverTimeoutMs}ms`,
    '  timeout http-request 10s',
    '  timeout http-keep-alive 10s',
    '  timeout queue 2s',
    `  timeout check ${Math.max(2_500, inter)}ms`,
    '  retries 2',
    '  retry-on conn-failure',
    '  option redispatch 1',
    '  option forwardfor',
    `  default-server check inter ${inter}ms fastinter ${Math.round(inter / 2)}ms downinter ${inter}ms fall 2 rise 2`,
    '',
    'frontend stats',
    `  bind ${s.host}:${s.statsPort}`,
    `  monitor-uri ${READY_PATH}`,
    '  stats enable',
    `  stats uri ${STATS_PATH}`,
    '  stats refresh 2s',
  ];
  for (const service of s.services) {
    lines.push(
      '',
      `frontend ${service.name}`,
      `  bind ${s.host}:${service.port}`,
      `  default_backend ${service.name}`,
      '',
      `backend ${service.name}`,
      '  balance roundrobin',
      '  option httpchk',
      '  http-check send meth GET uri /readiness',
      '  http-check expect status 200',
      ...service.replicas.map((port, i) => `  server ${service.name}-${i + 1} ${s.host}:${port}`),
    );
  }
  return `${lines.join('\n')}\n`;
}

export type ServerState = 'UP' | 'DOWN' | 'MAINT' | 'NOLB' | 'DRAIN' | string;

/** Each replica's state as HAProxy sees it (`intake-2` → `UP`), from the stats CSV. */
export function parseServerStates(csv: string): Record<string, ServerState> {
  const [header, ...rows] = csv.replace(/^# /, '').trim().split('\n');
  const column = header.split(',');
  const [svname, status] = [column.indexOf('svname'), column.indexOf('status')];
  const states: Record<string, ServerState> = {};
  for (const row of rows) {
    const cells = row.split(',');
    if (cells[svname] === 'FRONTEND' || cells[svname] === 'BACKEND') continue;
    // A server between checks reads "UP 1/2" or "DOWN 1/2": it has not changed state yet.
    states[cells[svname]] = cells[status].split(' ')[0];
  }
  return states;
}
