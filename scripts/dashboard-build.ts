import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROJECT_ROOT } from '../subgraphs/kit/paths';

/**
 * The dashboard's build, run by `npm run build` (so by every script that builds first): Vite runs only when the
 * dashboard's sources (or the lockfile) changed since the build in dist/dashboard, so `npm run token` and the
 * other scripts never wait for it. --force builds anyway.
 */
const SOURCES = join(PROJECT_ROOT, 'dashboard');
const OUT = join(PROJECT_ROOT, 'dist', 'dashboard');
const STAMP = join(OUT, '.sources.sha256');

function files(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

export function sourcesDigest(): string {
  const hash = createHash('sha256');
  for (const file of [...files(SOURCES), join(PROJECT_ROOT, 'package-lock.json')]) {
    hash.update(relative(PROJECT_ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** Builds the dashboard when its sources changed; 'built', 'current', or 'skipped' (no Vite installed). */
export function buildDashboard(force = false): 'built' | 'current' | 'skipped' {
  const digest = sourcesDigest();
  if (!force && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === digest) return 'current';
  const vite = join(PROJECT_ROOT, 'node_modules', '.bin', 'vite');
  if (!existsSync(vite)) {
    // An install without dev dependencies serves the dashboard built where they were (the image's build stage).
    console.error('dashboard: sources changed but Vite is not installed (npm ci without --omit=dev builds it); dist/dashboard left as it is');
    return 'skipped';
  }
  // Into a folder of its own, then moved in whole: a gateway serving dist/dashboard, or a second build at the same
  // time (two test files), never sees half a build.
  const staging = `${OUT}.${process.pid}.tmp`;
  const run = spawnSync(vite, ['build', '--config', join(SOURCES, 'vite.config.mts'), '--outDir', staging, '--logLevel', 'warn'], {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
    // A production bundle whoever calls (jest sets NODE_ENV=test, which would make Vite write development JSX).
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (run.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`the dashboard's build failed (vite exited ${run.status})`);
  }
  writeFileSync(join(staging, '.sources.sha256'), digest);
  rmSync(OUT, { recursive: true, force: true });
  try {
    renameSync(staging, OUT);
  } catch (e) {
    // Another build moved its folder in between: the same sources give the same files.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(STAMP) || readFileSync(STAMP, 'utf8') !== digest) throw e;
  }
  return 'built';
}

if (require.main === module) {
  try {
    buildDashboard(process.argv.includes('--force'));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
