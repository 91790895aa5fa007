import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The project root, whether running from source (tests) or from dist/. */
export const PROJECT_ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + __dirname);
    dir = up;
  }
  return dir;
})();

export const SCHEMA_DIR = join(PROJECT_ROOT, 'schema');
