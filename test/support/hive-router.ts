import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { envPrefix, SUBGRAPHS } from '../../subgraphs/registry';
import type { TestSystem } from './system';

export interface HiveRouter {
  url: string;
  close(): Promise<void>;
}

/** Hive Gateway in a process of its own (node dist/scripts/hive-router.js: build first) in front of the system's subgraphs. */
export function startHiveRouter(system: TestSystem, { rust }: { rust: boolean }): Promise<HiveRouter> {
  // Hive reads LOG_LEVEL too, and knows no 'silent'.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, NODE_ENV: 'test', LOG_LEVEL: 'error' };
  for (const s of SUBGRAPHS) env[`${envPrefix(s.name)}_URL`] = system.subgraphs[s.name].url;
  const child = spawn(process.execPath, [join(__dirname, '../../dist/scripts/hive-router.js'), ...(rust ? ['--rust'] : [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stderr.on('data', (d) => (out += d));
    child.stdout.on('data', (d) => {
      out += d;
      const url = /^listening (\S+)$/m.exec(out)?.[1];
      if (url) resolve({ url, close: () => (child.kill('SIGTERM'), exited) });
    });
    child.once('exit', (code) => reject(new Error(`hive-router exited ${code}: ${out}`)));
  });
}
