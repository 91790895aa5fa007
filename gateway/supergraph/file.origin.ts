import { FSWatcher, Stats, watch } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SupergraphOrigin } from './supergraph.source';

/** Quiet time after the last change before reading: an editor or `npm run compose` writes in several steps. */
const DEBOUNCE_MS = 200;

const signature = (s: Stats) => `${s.ino}:${s.size}:${s.mtimeMs}`;

/**
 * A supergraph file. Its directory is watched, not the file: editors, `mv` and Kubernetes ConfigMaps replace
 * the file (or a symlink beside it) instead of writing into it, and a watch on the old inode sees nothing. Every
 * `pollMs` its stat is compared too, for file systems whose watches are silent (network mounts, some containers).
 */
export function fileOrigin(file: string, o: { pollMs: number }): SupergraphOrigin {
  let seen: string | undefined;
  return {
    kind: 'file',
    async read() {
      let before = signature(await stat(file));
      if (before === seen) return null;
      let text = await readFile(file, 'utf8');
      // Read again while the file is still changing under the read, a few times, then let validation judge.
      for (let i = 0; i < 3; i++) {
        const after = signature(await stat(file));
        if (after === before) break;
        await sleep(DEBOUNCE_MS);
        before = signature(await stat(file));
        text = await readFile(file, 'utf8');
      }
      seen = before;
      return text;
    },
    watch(check) {
      let quiet: NodeJS.Timeout | undefined;
      const soon = () => {
        clearTimeout(quiet);
        quiet = setTimeout(() => void check(), DEBOUNCE_MS);
        quiet.unref();
      };
      let watcher: FSWatcher | undefined;
      try {
        watcher = watch(dirname(file), { persistent: false }, soon);
        // The directory went away or cannot be watched: the stat poll below still sees changes.
        watcher.on('error', () => watcher?.close());
      } catch {
        watcher = undefined;
      }
      const poll = setInterval(() => void check(), o.pollMs);
      poll.unref();
      return () => {
        clearTimeout(quiet);
        clearInterval(poll);
        watcher?.close();
      };
    },
  };
}
