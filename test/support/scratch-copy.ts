import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from '../../subgraphs/kit/paths';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ScratchCopy {
  dir: string;
  /** A command in the copy, to its end. */
  run(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<RunResult>;
  cleanup(): Promise<void>;
}

/**
 * The working tree as git sees it (tracked and new files, not what .gitignore leaves out) in a directory of its own,
 * with the installed node_modules linked in: a place to run a generator or break a schema without touching the
 * repository.
 */
export async function scratchCopy(label: string): Promise<ScratchCopy> {
  const dir = mkdtempSync(join(tmpdir(), `motcua-${label}-`));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: PROJECT_ROOT, encoding: 'utf8' })
    .split('\0')
    // A file deleted in the working tree but still in the index is not part of it.
    .filter((file) => file && existsSync(join(PROJECT_ROOT, file)));
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(PROJECT_ROOT, file), join(dir, file));
  }
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return {
    dir,
    run: (command, args, env = { PATH: process.env.PATH }) =>
      new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.once('error', reject);
        child.once('close', (code) => resolve({ code, stdout, stderr }));
      }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}
