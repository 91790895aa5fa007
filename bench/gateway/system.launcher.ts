import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { seedDemo } from '../../demo/seed';
import { freePorts } from '../../scripts/replicas/free-port';
import { stopChildren, waitForHealth } from '../../scripts/processes';
import { withDatabase } from '../../subgraphs/kit/config';
import { closeDatabases, openSubgraphDatabases } from '../../subgraphs/databases';
import { databaseName, envPrefix, SUBGRAPHS } from '../../subgraphs/registry';

const DIST = join(__dirname, '..', '..');

export interface Service {
  name: string;
  pid: number;
  url: string;
  child: ChildProcess;
}

export interface Gateway extends Service {
  key: 'ours' | 'apollo' | 'hive' | 'hive-rust';
}

export const GATEWAY_TITLES: Record<Gateway['key'], string> = {
  ours: 'ours (@apollo/gateway in our server)',
  apollo: 'stock @apollo/gateway',
  hive: 'Hive Gateway',
  'hive-rust': 'Hive Gateway, Rust planner',
};

/** The bench's own databases on the configured server, one a subgraph, as `npm start` names them but for the prefix. */
export function benchDatabaseUrls(server: string, prefix: string): Record<string, string> {
  return Object.fromEntries(SUBGRAPHS.map((s) => [s.name, withDatabase(server, databaseName(s.name).replace(/^motcua/, prefix))]));
}

export async function dropDatabases(urls: Record<string, string>): Promise<void> {
  const admin = new Client({ connectionString: withDatabase(Object.values(urls)[0], 'postgres') });
  await admin.connect();
  try {
    for (const url of Object.values(urls)) await admin.query(`DROP DATABASE IF EXISTS "${new URL(url).pathname.slice(1)}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/**
 * Fresh demo databases, migrated and seeded as `npm start` seeds an empty system: each run starts from the same
 * rows, since reads write audit records and access logs that would otherwise pile up from run to run.
 */
export async function seedDatabases(urls: Record<string, string>): Promise<string> {
  await dropDatabases(urls);
  const dbs = await openSubgraphDatabases((name) => urls[name]);
  try {
    const counts = await seedDemo(dbs);
    return Object.entries(counts).map(([n, c]) => `${n} ${c}`).join(', ');
  } finally {
    await closeDatabases(dbs);
  }
}

export interface SystemOptions {
  databaseUrls: Record<string, string>;
  /** taskset core lists: the gateways', and the subgraphs'. */
  cores: { gateway: string; rest: string };
  /** Stock @apollo/gateway and Hive Gateway (both planners) beside ours. */
  peers: boolean;
  /** Where each of our processes writes its CPU profile (a folder a process), when profiled. */
  profileDir?: string;
}

export interface BenchSystem {
  subgraphs: Service[];
  gateways: Gateway[];
  stop(): Promise<void>;
}

/**
 * The layout of `npm start` (dist/subgraphs/serve.js for each subgraph, dist/gateway/main.js, each its own process
 * with the configuration in its environment), on free ports, and the peers in processes of their own against the
 * same subgraphs and the committed supergraph. Each is pinned with taskset; a process that exits is reported.
 */
export async function startSystem(o: SystemOptions): Promise<BenchSystem> {
  const [gatewayPort, ...ports] = await freePorts(SUBGRAPHS.length + 1);
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', PORT: String(gatewayPort) };
  SUBGRAPHS.forEach((s, i) => {
    const p = envPrefix(s.name);
    env[`${p}_PORT`] = String(ports[i]);
    env[`${p}_URL`] = `http://127.0.0.1:${ports[i]}/graphql`;
    env[`${p}_DATABASE_URL`] = o.databaseUrls[s.name];
  });
  const children: ChildProcess[] = [];
  let stopping = false;
  const stop = async () => {
    stopping = true;
    await stopChildren(children, 20_000);
  };
  const launch = (name: string, cores: string, script: string, args: string[], ready: string | 'listening'): Promise<Service> => {
    const profile = o.profileDir && ready !== 'listening' ? [`--cpu-prof`, `--cpu-prof-dir=${join(o.profileDir, name)}`] : [];
    if (profile.length) mkdirSync(join(o.profileDir!, name), { recursive: true });
    // An IPC channel, as `npm start` forks its services: one whose parent is gone stops by itself.
    const child = spawn('taskset', ['-c', cores, process.execPath, ...profile, join(DIST, script), ...args], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    children.push(child);
    return new Promise<Service>((resolve, reject) => {
      let done = false;
      const settle = (url: string) => {
        done = true;
        resolve({ name, pid: child.pid!, url, child });
      };
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const listening = /^listening (\S+)$/.exec(line)?.[1];
        if (ready === 'listening' && listening && !done) settle(listening);
        else console.log(`[${name}] ${line}`);
      });
      createInterface({ input: child.stderr! }).on('line', (line) => console.error(`[${name}] ${line}`));
      child.once('exit', (code, signal) => {
        if (!done) reject(new Error(`${name} exited (${signal ?? `code ${code}`}) before it was ready`));
        else if (!stopping) console.error(`bench: ${name} (pid ${child.pid}) exited (${signal ?? `code ${code}`}) during the bench`);
      });
      if (ready !== 'listening') {
        waitForHealth(ready, 90_000).then(() => !done && settle(ready.replace(/\/readiness$/, '/graphql')), reject);
      }
    });
  };

  try {
    const subgraphs = await Promise.all(SUBGRAPHS.map((s) =>
      launch(s.name, o.cores.rest, 'subgraphs/serve.js', [s.name], env[`${envPrefix(s.name)}_URL`]!.replace(/\/graphql$/, '/readiness'))));
    const core = o.cores.gateway;
    const gateways: Promise<Gateway>[] = [
      launch('gateway', core, 'gateway/main.js', [], `http://127.0.0.1:${gatewayPort}/readiness`).then((s) => ({ ...s, key: 'ours' as const })),
    ];
    if (o.peers) {
      gateways.push(
        launch('apollo-gateway', core, 'scripts/apollo-gateway.js', [], 'listening').then((s) => ({ ...s, key: 'apollo' as const })),
        launch('hive-gateway', core, 'scripts/hive-router.js', [], 'listening').then((s) => ({ ...s, key: 'hive' as const })),
        launch('hive-gateway-rust', core, 'scripts/hive-router.js', ['--rust'], 'listening').then((s) => ({ ...s, key: 'hive-rust' as const })),
      );
    }
    return { subgraphs, gateways: await Promise.all(gateways), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The server's version as a results section names it ("PostgreSQL 15.20 (Debian …)"). */
export async function postgresVersion(url: string): Promise<string> {
  const pg = new Client({ connectionString: url });
  await pg.connect();
  try {
    const [{ version }] = (await pg.query('SELECT version()')).rows;
    return String(version).split(' on ')[0];
  } finally {
    await pg.end();
  }
}
