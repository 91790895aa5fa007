import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express } from 'express';
import type { DashboardConfig } from '../../subgraphs/kit/config';
import { PROJECT_ROOT } from '../../subgraphs/kit/paths';

export const DASHBOARD_DIR = join(PROJECT_ROOT, 'dist', 'dashboard');

/**
 * Everything the page may load comes from this origin, but for the province's sign-in provider, which the
 * OpenID Connect client calls for its metadata and tokens. ECharts' SVG renderer writes style attributes, the only
 * inline styling allowed; no inline script at all.
 */
export function dashboardCsp(config: DashboardConfig): string {
  const provider = config.oidc ? ` ${new URL(config.oidc.authority).origin}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${provider}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The report builders' dashboard at /dashboard/: the static files `npm run build` writes to dist/dashboard, and
 * /dashboard/config.json telling the page how to sign in. The files' names carry their content hash, so they are
 * cached for a year; the page itself is revalidated every time, so a new build reaches everyone at once.
 */
export function dashboardRoutes(app: Express, config: DashboardConfig, dir = DASHBOARD_DIR): void {
  const csp = dashboardCsp(config);
  const common = { 'content-security-policy': csp, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
  app.get('/dashboard/config.json', (_req, res) => void res.set({ ...common, 'cache-control': 'no-store' }).json(config));
  if (!existsSync(join(dir, 'index.html'))) {
    app.get(/^\/dashboard(\/.*)?$/, (_req, res) => void res.status(503).set(common).type('text/plain').send('The dashboard is not built here: npm run build builds it.\n'));
    return;
  }
  app.use(
    '/dashboard',
    express.static(dir, {
      index: 'index.html',
      dotfiles: 'ignore',
      setHeaders: (res, path) => {
        res.set(common);
        res.set('cache-control', path.includes(`${join(dir, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
}
