import { chromium, type Browser } from 'playwright-core';
import { HEADER_HINT } from '../../gateway/http/graphiql';
import { startSystem, TestSystem } from '../support/system';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('GraphiQL for developers', () => {
  let system: TestSystem;
  let production: TestSystem;
  let browser: Browser;

  beforeAll(async () => {
    system = await startSystem();
    browser = await chromium.launch({ executablePath: CHROMIUM });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await system?.close();
    await production?.close();
  });

  it('when a developer opens /graphql in a browser, then GraphiQL runs a query from this origin alone, with the header hint', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    const foreign: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith(new URL(system.gatewayUrl).origin) && !r.url().startsWith('data:')) foreign.push(r.url()); });
    await page.goto(system.gatewayUrl);
    await page.locator('.graphiql-execute-button').click();
    await page.locator('.result-window').getByText('"SGTVT"').first().waitFor();
    await page.getByText('Headers', { exact: true }).click();
    expect(await page.locator('.graphiql-editor-tool').innerText()).toContain('paste STAFF_TOKEN as npm start prints it');
    expect(HEADER_HINT).toContain('Authorization');
    expect({ problems, foreign }).toEqual({ problems: [], foreign: [] });
    await page.screenshot({ path: 'test/browser/screenshots/graphiql.png' });
    await page.close();
  });

  it('when the gateway runs in production, then /graphql serves no page to a browser', async () => {
    production = await startSystem(undefined, { production: true });
    const res = await fetch(production.gatewayUrl, { headers: { accept: 'text/html' } });
    expect(res.headers.get('content-type')).not.toContain('text/html');
    expect((await fetch(production.gatewayUrl.replace(/\/graphql$/, '/graphiql/graphiql.js'))).status).toBe(404);
  });
});
