import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envPrefix, SUBGRAPHS } from '../../subgraphs/registry';
import type { TestSystem } from './system';

const SCRIPTS = join(__dirname, '../../dist/scripts');

/** `npm run catalogue:import -- FILE` as an operator runs it (node dist/scripts/catalogue-import.js: build first). */
export function catalogueImport(system: TestSystem, file: unknown): Promise<{ code: number | null; out: string }> {
  const path = join(mkdtempSync(join(tmpdir(), 'catalogue-')), 'catalogue.json');
  writeFileSync(path, JSON.stringify(file));
  return runScript(system, 'catalogue-import.js', [path]);
}

/** `npm run import -- FILE.jsonl [args]` as an operator runs it, on the given lines. */
export function historyImport(system: TestSystem, lines: string[], args: string[] = []): Promise<{ code: number | null; out: string }> {
  const path = join(mkdtempSync(join(tmpdir(), 'history-')), 'history.jsonl');
  writeFileSync(path, lines.join('\n'));
  return runScript(system, 'import.js', [path, ...args]);
}

/** One of the operators' commands (dist/scripts: build first) against the system's databases. */
function runScript(system: TestSystem, script: string, args: string[]): Promise<{ code: number | null; out: string }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, NODE_ENV: 'test', LOG_LEVEL: 'silent' };
  for (const s of SUBGRAPHS) env[`${envPrefix(s.name)}_DATABASE_URL`] = system.urls[s.name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(SCRIPTS, script), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out }));
  });
}
