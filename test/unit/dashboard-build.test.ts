import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../subgraphs/kit/paths';
import { buildDashboard, sourcesDigest } from '../../scripts/dashboard-build';
import { documentHash, loadTrustedDocuments } from '../../gateway/trusted-documents/trusted-documents';

const MANIFEST = join(PROJECT_ROOT, 'dashboard', 'src', 'gql', 'persisted-documents.json');

describe('the dashboard\'s build', () => {
  it('when its sources have not changed since the last build, then npm run build does not run Vite again', () => {
    buildDashboard();
    expect(buildDashboard()).toBe('current');
    expect(readFileSync(join(PROJECT_ROOT, 'dist', 'dashboard', '.sources.sha256'), 'utf8')).toBe(sourcesDigest());
  }, 120_000);

  it('when GraphQL Code Generator checks the committed typed documents against the supergraph, then they are current', () => {
    const run = spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'graphql-codegen'), ['--config', 'codegen.ts', '--check'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect({ status: run.status, out: run.status === 0 ? '' : run.stdout + run.stderr }).toEqual({ status: 0, out: '' });
  }, 120_000);

  it('when the gateway loads the dashboard\'s manifest, then every document is there under its SHA-256 and the built page names no document text', () => {
    const trusted = loadTrustedDocuments([MANIFEST], []);
    expect(trusted.documents.size).toBeGreaterThanOrEqual(5);
    for (const [hash, document] of trusted.documents) expect(documentHash(document)).toBe(hash);
    const assets = execFileSync('ls', [join(PROJECT_ROOT, 'dist', 'dashboard', 'assets')], { encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.js'));
    const bundle = assets.map((f) => readFileSync(join(PROJECT_ROOT, 'dist', 'dashboard', 'assets', f), 'utf8')).join('\n');
    const missing = [...trusted.documents.keys()].filter((hash) => !bundle.includes(hash));
    expect(missing).toEqual([]);
    // A production bundle: the documents' text stays in the manifest, and no path of the machine that built it.
    expect(['query DashboardReport', PROJECT_ROOT, 'lineNumber:'].filter((text) => bundle.includes(text))).toEqual([]);
  });
});
