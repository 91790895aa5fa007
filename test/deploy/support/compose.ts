import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { POSTGRES_INIT_SCRIPT } from '../../../scripts/deploy/compose.manifest';
import { PROJECT_ROOT } from '../../../subgraphs/kit/paths';

export const ROOT = PROJECT_ROOT;
export const NODE_BIN = join(ROOT, 'node_modules/.bin');
const run = promisify(execFile);

export interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  secrets?: { source: string; target?: string }[];
  volumes?: string[];
  profiles?: string[];
  ports?: unknown[];
}

export interface ResolvedCompose {
  services: Record<string, ComposeService>;
  secrets?: Record<string, { file: string }>;
}

/** What a fresh clone holds of the deployment: the committed compose file and what it mounts. */
export function freshCloneDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'motcua-stack-'));
  for (const file of ['docker-compose.yml', POSTGRES_INIT_SCRIPT]) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(dir, file));
  }
  return dir;
}

/** npm run compose:env, into `dir`, with the built script. */
export function composeEnv(dir: string) {
  return run(join(NODE_BIN, 'node'), [join(ROOT, 'dist/scripts/compose-env.js'), '--dir', dir]);
}

/**
 * The compose file as Debian's docker-compose 1.29.2 resolves it (interpolation from .env and `overrides`,
 * paths made absolute), every profile included. Rejects when docker-compose does: a file it would not run.
 */
export async function resolveCompose(dir: string, overrides: Record<string, string> = {}): Promise<ResolvedCompose> {
  const { stdout } = await run('docker-compose', ['--project-directory', dir, '--file', join(dir, 'docker-compose.yml'), '--profile', 'seed', 'config'], {
    cwd: dir,
    env: { PATH: process.env.PATH, ...overrides },
  }).catch((e: NodeJS.ErrnoException & { stderr?: string }) => {
    if (e.code === 'ENOENT') throw new Error('docker-compose is not installed: apt-get install -y --no-install-recommends docker-compose (.ci/run does)');
    throw new Error(`docker-compose config refused the file: ${e.stderr ?? e.message}`);
  });
  return parse(stdout, { version: '1.1' }) as ResolvedCompose;
}
