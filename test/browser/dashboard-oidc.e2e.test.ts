import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DASHBOARD_CLIENT, loadConfig } from '../../subgraphs/kit/config';
import { PROJECT_ROOT } from '../../subgraphs/kit/paths';
import { loadTrustedDocuments } from '../../gateway/trusted-documents/trusted-documents';
import { buildDashboard } from '../../scripts/dashboard-build';
import { startSystem, TestSystem } from '../support/system';
import { freePort } from '../support/waiting';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const MANIFEST = join(PROJECT_ROOT, 'dashboard', 'src', 'gql', 'persisted-documents.json');

/** The test's OpenID Connect provider, its own process; resolves with its issuer once it listens. */
function startProvider(gatewayOrigin: string): Promise<{ issuer: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'test', 'support', 'oidc-provider.mjs')], {
    env: { ...process.env, GATEWAY_ORIGIN: gatewayOrigin, AUDIENCE: 'motcua-graph' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the OpenID Connect provider exited ${code}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => resolve({ issuer: JSON.parse(line).issuer, child }));
  });
}

describe('The dashboard signing in through the province\'s OpenID Connect provider', () => {
  let system: TestSystem;
  let provider: { issuer: string; child: ChildProcess };
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    expect(buildDashboard()).not.toBe('skipped');
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    provider = await startProvider(origin);
    system = await startSystem(undefined, {
      gatewayPort: port,
      gateway: {
        // As in production: tokens verified against the provider's key set, no pasted token, persisted documents only.
        auth: loadConfig({ AUTH_ISSUER: provider.issuer, AUTH_JWKS_URL: `${provider.issuer}/jwks` }).auth,
        dashboard: { oidc: { authority: provider.issuer, clientId: 'motcua-dashboard', scope: 'openid profile' }, devSignIn: false },
        trustedDocuments: loadTrustedDocuments([MANIFEST], [DASHBOARD_CLIENT]),
      },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--disable-background-networking', '--disable-component-update', '--no-first-run'] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await system?.close();
    provider?.child.kill();
  });

  async function signIn(login: string): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const problems: string[] = [];
    // The dashboard's own errors; the provider's development login page loads fonts it cannot reach here.
    page.on('console', (m) => { if (m.type() === 'error' && page.url().startsWith(origin)) problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${origin}/dashboard/`);
    expect(await page.locator('input[name=token]').count()).toBe(0);
    await page.getByRole('button', { name: 'Đăng nhập bằng tài khoản của tỉnh' }).click();
    // The provider's own login page, on its own origin.
    await page.waitForURL((url) => url.origin === provider.issuer);
    await page.locator('input[name=login]').fill(login);
    await page.locator('input[name=password]').fill('any');
    await page.locator('button[type=submit]').click();
    await page.waitForURL(`${origin}/dashboard/`);
    await page.locator('input[name=from]').waitFor();
    return { page, problems };
  }

  async function pickApril(page: Page): Promise<void> {
    await page.locator('input[name=from]').fill('2020-04-01');
    await page.locator('input[name=to]').fill('2020-04-30');
    await page.locator('input[name=to]').press('Enter');
    // The table of the period asked for, not the one shown before it.
    await page.locator('table.form-ii06a[data-period="2020-04-01/2020-04-30"]').waitFor();
  }

  it('when a report builder signs in with code and PKCE, then the report shows April 2020 and the token is kept in memory only', async () => {
    const { page, problems } = await signIn('builder');
    expect(await page.locator('header .who').innerText()).toContain('REPORT_BUILDER');
    await pickApril(page);
    expect((await page.locator('table.form-ii06a tfoot tr > *').allInnerTexts()).slice(2, 6)).toEqual(['Tổng cộng', '2.704', '952', '1.752']);
    // No code or token in the address; nothing in the browser's storage once the provider has answered.
    expect(page.url()).toBe(`${origin}/dashboard/`);
    expect(await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie }))).toEqual({ local: 0, session: 0, cookie: '' });
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('when an officer signs in at the provider, then the token it issues carries their department and the report is theirs', async () => {
    const { page, problems } = await signIn('officer-SGTVT');
    await pickApril(page);
    expect(await page.locator('select[name=department]').isDisabled()).toBe(true);
    expect(await page.locator('table.form-ii06a tbody tr').evaluateAll((r) => r.map((e) => e.getAttribute('data-department')))).toEqual(['SGTVT']);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
