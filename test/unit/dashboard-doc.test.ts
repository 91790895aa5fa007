import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../subgraphs/kit/config';
import { PROJECT_ROOT } from '../../subgraphs/kit/paths';

/** docs/dashboard.md names variables, files, scripts and the client name: each must be what the code has. */
const doc = readFileSync(join(PROJECT_ROOT, 'docs', 'dashboard.md'), 'utf8');
const quoted = [...new Set([...doc.matchAll(/`([^`]+)`/g)].map((m) => m[1]))];
const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'));

describe('docs/dashboard.md', () => {
  it('when it names a project file, then the file is there, or it is one the build or the tests write and git ignores', () => {
    const paths = quoted.filter((q) => /^(dashboard|test|codegen\.ts|dist\/)/.test(q));
    const ignored = readFileSync(join(PROJECT_ROOT, '.gitignore'), 'utf8').split('\n').filter(Boolean);
    const written = (p: string) => ignored.some((rule) => p === rule.replace(/\/$/, '') || p.startsWith(rule.endsWith('/') ? rule : `${rule}/`));
    expect(paths.length).toBeGreaterThan(6);
    expect(paths.filter(written).sort()).toEqual(['dist/dashboard', 'dist/dashboard/.sources.sha256', 'test/browser/screenshots/']);
    expect(paths.filter((p) => !written(p) && !existsSync(join(PROJECT_ROOT, p)))).toEqual([]);
  });

  it('when it names an npm script, then package.json has it', () => {
    const scripts = quoted.filter((q) => q.startsWith('npm run ')).map((q) => q.slice('npm run '.length).split(' ')[0]);
    expect(scripts.sort()).toEqual(['build', 'codegen', 'token', 'typecheck']);
    expect(scripts.filter((s) => !pkg.scripts[s])).toEqual([]);
  });

  it('when it names the sign-in variables, then the gateway takes them as it says, and refuses one without the other', () => {
    const variables = quoted.filter((q) => /^DASHBOARD_OIDC_[A-Z_]+$/.test(q));
    expect(variables.sort()).toEqual(['DASHBOARD_OIDC_AUTHORITY', 'DASHBOARD_OIDC_CLIENT_ID', 'DASHBOARD_OIDC_SCOPE']);
    const config = loadConfig({ DASHBOARD_OIDC_AUTHORITY: 'https://sso.example.gov.vn/realms/province', DASHBOARD_OIDC_CLIENT_ID: 'motcua-dashboard' });
    expect(config.gateway.dashboard).toEqual({ oidc: { authority: 'https://sso.example.gov.vn/realms/province', clientId: 'motcua-dashboard', scope: 'openid profile' }, devSignIn: true });
    expect(doc).toContain('default `openid profile`');
    expect(() => loadConfig({ DASHBOARD_OIDC_AUTHORITY: 'https://sso.example.gov.vn/realms/province' })).toThrow(/DASHBOARD_OIDC_CLIENT_ID/);
  });

  it('when it says production takes only the dashboard\'s persisted documents from it, then that is the default there', () => {
    expect(doc).toContain('`TRUSTED_DOCUMENTS_CLIENTS` defaults to `motcua-dashboard` there');
    expect(readFileSync(join(PROJECT_ROOT, 'dashboard', 'src', 'graphql.ts'), 'utf8')).toContain("export const CLIENT_NAME = 'motcua-dashboard';");
    const production = loadConfig({ NODE_ENV: 'production', AUTH_JWKS_URL: 'https://idp.example/jwks' }).gateway;
    expect(production.trustedDocuments.enforcedClients).toEqual(['motcua-dashboard']);
    expect(production.dashboard.devSignIn).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', AUTH_JWKS_URL: 'https://idp.example/jwks', TRUSTED_DOCUMENTS_CLIENTS: '' }).gateway.trustedDocuments.enforcedClients).toEqual([]);
    expect(loadConfig({}).gateway.trustedDocuments.enforcedClients).toEqual([]);
  });
});
