import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../subgraphs/kit/config';
import { envPrefix, SUBGRAPHS } from '../../subgraphs/registry';
import { Supervisor, SupervisorOptions } from '../supervisor';
import { freePorts } from './free-port';
import { BalancedService, parseServerStates, READY_PATH, renderHaproxyConfig, ServerState, serverTimeoutMs, STATS_PATH } from './haproxy.config';

export interface ReplicaSetOptions {
  /** Each subgraph's database, by registry name: every replica of a subgraph uses the same one. */
  databaseUrls: Record<string, string>;
  /** Replicas of the gateway and of each balanced subgraph. */
  replicas?: number;
  /** The subgraphs run as replicas behind HAProxy; the others run once and are reached directly. */
  balanced?: string[];
  /** Where HAProxy serves the graph; a free port when unset. */
  gatewayPort?: number;
  /** The environment every process starts from (its ports, addresses and databases are set here). */
  env?: NodeJS.ProcessEnv;
  /** The compiled tree holding subgraphs/serve.js, gateway/main.js and scripts/replicas/haproxy.process.js. */
  dist?: string;
  haproxy?: string;
  supervisor?: Pick<SupervisorOptions, 'info' | 'warn' | 'firstDelayMs' | 'readyTimeoutMs'>;
}

export interface ReplicaSet {
  /** The graph, through HAProxy. */
  url: string;
  /** Each gateway replica's own /graphql, in replica order. */
  gateways: string[];
  /** Each subgraph's address (HAProxy's, for a balanced one) and each replica's own, as base URLs without a path. */
  subgraphs: Record<string, { url: string; replicas: string[] }>;
  /** Each process's port (`gateway-1`, `intake-2`, `postal`…); HAProxy's frontends by service (`gateway`, `intake`), its stats as `haproxy-stats`. */
  ports: Record<string, number>;
  statsUrl: string;
  configFile: string;
  /** Each replica's state as HAProxy sees it now (`intake-2` → `UP`). */
  serverStates(): Promise<Record<string, ServerState>>;
  stop(): Promise<void>;
}

export const DEFAULT_BALANCED = ['intake', 'transport'];
const DIST = join(__dirname, '..', '..');

/** The HAProxy binary: HAPROXY when set, Debian's, or the one on PATH. */
export function haproxyBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env.HAPROXY ?? (existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy');
}

/**
 * Runs the gateway and the balanced subgraphs as `replicas` processes each, the other subgraphs once, and HAProxy
 * in front of the gateways and of each balanced subgraph, all on free ports and each under a Supervisor (a crashed
 * one is restarted). Gateways and hand-overs reach a balanced subgraph through HAProxy, the others directly.
 * Resolves once HAProxy sees every replica UP. Databases must be migrated: replicas do not migrate at start, as two
 * of them would race for it.
 */
export async function startReplicaSet(o: ReplicaSetOptions): Promise<ReplicaSet> {
  const replicas = o.replicas ?? 2;
  const balanced = o.balanced ?? DEFAULT_BALANCED;
  const dist = o.dist ?? DIST;
  const base: NodeJS.ProcessEnv = { ...(o.env ?? process.env) };
  const config = loadConfig(base);
  const host = config.host;
  for (const name of balanced) if (!SUBGRAPHS.some((s) => s.name === name)) throw new Error(`unknown subgraph "${name}" to balance`);

  const single = SUBGRAPHS.map((s) => s.name).filter((n) => !balanced.includes(n));
  const names = [
    'gateway',
    'haproxy-stats',
    ...balanced,
    ...single,
    ...['gateway', ...balanced].flatMap((n) => Array.from({ length: replicas }, (_, i) => `${n}-${i + 1}`)),
  ];
  const free = await freePorts(names.length, host);
  const ports: Record<string, number> = Object.fromEntries(names.map((n, i) => [n, free[i]]));
  if (o.gatewayPort !== undefined) ports.gateway = o.gatewayPort;
  const at = (port: number) => `http://${host}:${port}`;

  const services: BalancedService[] = ['gateway', ...balanced].map((name) => ({
    name,
    port: ports[name],
    replicas: Array.from({ length: replicas }, (_, i) => ports[`${name}-${i + 1}`]),
  }));
  const dir = mkdtempSync(join(tmpdir(), 'motcua-replicas-'));
  const configFile = join(dir, 'haproxy.cfg');
  writeFileSync(configFile, renderHaproxyConfig({
    host,
    services,
    statsPort: ports['haproxy-stats'],
    serverTimeoutMs: serverTimeoutMs(config),
  }));
  const haproxy = o.haproxy ?? haproxyBinary(base);
  try {
    await promisify(execFile)(haproxy, ['-c', '-q', '-f', configFile]);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    const why = (e as { stderr?: string }).stderr?.trim() || (e as Error).message;
    throw new Error(`haproxy cannot run the replica set's configuration (${haproxy}): ${why}`);
  }

  // One environment per replica index: replica i of every balanced service listens on its own port.
  const common: NodeJS.ProcessEnv = { ...base, MIGRATE_AT_START: 'false' };
  // Longer than HAProxy takes to see a draining replica's 503 (two checks): it leaves the rotation before it closes.
  common.DRAIN_GRACE_MS ??= '2000';
  // HAProxy names the client in X-Forwarded-For (option forwardfor): the gateways count anonymous callers by it.
  common.TRUSTED_PROXIES ??= host;
  for (const s of SUBGRAPHS) {
    const p = envPrefix(s.name);
    common[`${p}_DATABASE_URL`] = o.databaseUrls[s.name];
    if (balanced.includes(s.name)) common[`${p}_URL`] = `${at(ports[s.name])}/graphql`;
    else {
      delete common[`${p}_URL`];
      common[`${p}_PORT`] = String(ports[s.name]);
    }
  }
  const envOf = (i: number): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...common, PORT: String(ports[`gateway-${i + 1}`]) };
    for (const name of balanced) env[`${envPrefix(name)}_PORT`] = String(ports[`${name}-${i + 1}`]);
    return env;
  };
  const supervisors = Array.from({ length: replicas }, (_, i) => new Supervisor({
    ...o.supervisor,
    env: envOf(i),
    stopTimeoutMs: config.drainTimeoutMs + 5_000,
  }));
  const ready = (port: number) => `${at(port)}/readiness`;
  const statsUrl = `${at(ports['haproxy-stats'])}${STATS_PATH}`;
  const serverStates = async () => {
    const res = await fetch(`${statsUrl};csv`, { signal: AbortSignal.timeout(2_000) });
    if (!res.ok) throw new Error(`haproxy stats answered ${res.status}`);
    return parseServerStates(await res.text());
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      await Promise.all(supervisors.map((s) => s.stop()));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    await Promise.all([
      ...single.map((name) => supervisors[0].start({
        name, script: join(dist, 'subgraphs/serve.js'), args: [name], readyUrl: ready(ports[name]),
      })),
      ...balanced.flatMap((name) => supervisors.map((s, i) => s.start({
        name: `${name}-${i + 1}`, script: join(dist, 'subgraphs/serve.js'), args: [name], readyUrl: ready(ports[`${name}-${i + 1}`]),
      }))),
    ]);
    await Promise.all(supervisors.map((s, i) => s.start({
      name: `gateway-${i + 1}`, script: join(dist, 'gateway/main.js'), readyUrl: ready(ports[`gateway-${i + 1}`]),
    })));
    // Last, so that its first checks find every replica ready (it would say each is DOWN, then UP, otherwise).
    await supervisors[0].start({
      name: 'haproxy',
      script: join(dist, 'scripts/replicas/haproxy.process.js'),
      args: [haproxy, configFile],
      readyUrl: `${at(ports['haproxy-stats'])}${READY_PATH}`,
    });
    await untilAllUp(serverStates, services, 15_000);
  } catch (e) {
    await stop();
    throw e;
  }

  return {
    url: `${at(ports.gateway)}/graphql`,
    gateways: Array.from({ length: replicas }, (_, i) => `${at(ports[`gateway-${i + 1}`])}/graphql`),
    subgraphs: Object.fromEntries(SUBGRAPHS.map((s) => [s.name, balanced.includes(s.name)
      ? { url: at(ports[s.name]), replicas: Array.from({ length: replicas }, (_, i) => at(ports[`${s.name}-${i + 1}`])) }
      : { url: at(ports[s.name]), replicas: [at(ports[s.name])] }])),
    ports,
    statsUrl,
    configFile,
    serverStates,
    stop,
  };
}

/** HAProxy puts a replica in rotation after two good checks: until then the printed address would not balance. */
async function untilAllUp(states: () => Promise<Record<string, ServerState>>, services: BalancedService[], timeoutMs: number): Promise<void> {
  const servers = services.flatMap((s) => s.replicas.map((_, i) => `${s.name}-${i + 1}`));
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, ServerState> = {};
  for (;;) {
    last = await states().catch(() => last);
    if (servers.every((s) => last[s] === 'UP')) return;
    if (Date.now() > deadline) {
      throw new Error(`haproxy did not see every replica up within ${timeoutMs / 1000} s: ${servers.map((s) => `${s} ${last[s] ?? 'unknown'}`).join(', ')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
