import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DASHBOARD_CLIENT } from '../../subgraphs/kit/config';
import { PROJECT_ROOT } from '../../subgraphs/kit/paths';
import type { Identity } from '../../subgraphs/kit/identity';
import { loadTrustedDocuments } from '../../gateway/trusted-documents/trusted-documents';
import { buildDashboard } from '../../scripts/dashboard-build';
import { startSystem, STAFF, tokenFor, TestSystem } from '../support/system';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(PROJECT_ROOT, 'test', 'browser', 'screenshots');
const MANIFEST = join(PROJECT_ROOT, 'dashboard', 'src', 'gql', 'persisted-documents.json');
const BUILDER: Identity = { subject: 'builder-1', role: 'REPORT_BUILDER' };
const SGTVT: Identity = { subject: 'officer-sgtvt', role: 'DEPARTMENT_OFFICER', department: 'SGTVT' };

const TOTALS = `query($departmentCode: String) { report(from: "2020-04-01", to: "2020-04-30", departmentCode: $departmentCode) {
  received { total } resolved { total } byDepartment { department { code } } } }`;

describe('The report builders\' dashboard in Chromium', () => {
  let system: TestSystem;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    expect(buildDashboard()).not.toBe('skipped');
    // The gateway takes only the dashboard's persisted documents from it, as in production.
    system = await startSystem(undefined, { gateway: { trustedDocuments: loadTrustedDocuments([MANIFEST], [DASHBOARD_CLIENT]) } });
    origin = new URL(system.gatewayUrl).origin;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--disable-background-networking', '--disable-component-update', '--no-first-run'] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  /** A page that records every console error, failed script and request to another origin. */
  async function open(): Promise<{ page: Page; problems: string[] }> {
    // A context of its own for each page (axe-core needs one to run its checks in).
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 1000 }, locale: 'vi-VN' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => { if (!r.url().startsWith(origin) && !/^(data|blob):/.test(r.url())) problems.push(`foreign request ${r.url()}`); });
    await page.goto(`${origin}/dashboard/`);
    return { page, problems };
  }

  async function signIn(page: Page, identity: Identity): Promise<string> {
    const token = await tokenFor(identity);
    await page.locator('input[name=token]').fill(token);
    await page.locator('input[name=token]').press('Enter');
    await page.locator('input[name=from]').waitFor();
    return token;
  }

  async function pickApril(page: Page): Promise<void> {
    await page.locator('input[name=from]').fill('2020-04-01');
    await page.locator('input[name=to]').fill('2020-04-30');
    await page.locator('input[name=to]').press('Enter');
    // The table of the period asked for, not the one shown before it.
    await page.locator('table.form-ii06a[data-period="2020-04-01/2020-04-30"]').waitFor();
    // The series' line, in the chart's first colour (ECharts draws it once the series has arrived).
    await page.locator('figure[data-chart=series] svg path[stroke="#1f5fa8"]').first().waitFor({ state: 'attached' });
  }

  /** The cells of a row of the II.06a table, as shown. */
  const cells = (page: Page, department: string) => page.locator(`table.form-ii06a tr[data-department="${department}"] > *`).allInnerTexts();

  it('when a report builder signs in and picks April 2020, then the page shows 1.752 received in form II.06a, the charts, and a CSV equal to the report', async () => {
    const { page, problems } = await open();
    await signIn(page, BUILDER);
    await pickApril(page);
    const total = await cells(page, '');
    // Tổng số hồ sơ, kỳ trước, mới tiếp nhận: the centre's April 2020 as published (2.704 = 952 + 1.752).
    expect(total.slice(2, 6)).toEqual(['Tổng cộng', '2.704', '952', '1.752']);
    const graph = await system.query(TOTALS, {}, BUILDER);
    expect(graph.data.report.received.total).toBe(1752);
    const departments = await page.locator('table.form-ii06a tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-department')));
    expect(departments).toEqual(graph.data.report.byDepartment.map((d: { department: { code: string } }) => d.department.code));
    for (const chart of ['series', 'channels', 'departments', 'on-time']) expect(await page.locator(`figure[data-chart="${chart}"] svg`).count()).toBe(1);
    expect(await page.locator('figure[data-chart=channels] svg').textContent()).toContain('Trực tuyến: 645');
    expect(await page.locator('.narrative').innerText()).toContain('1.752');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('bao-cao-II.06a_2020-04-01_2020-04-30.csv');
    const file = readFileSync((await download.path())!);
    const direct = await fetch(`${origin}/reports/monthly.csv?from=2020-04-01&to=2020-04-30`, { headers: { authorization: `Bearer ${await tokenFor(BUILDER)}` } });
    // Byte for byte, the spreadsheets' BOM included.
    expect(file.equals(Buffer.from(await direct.arrayBuffer()))).toBe(true);
    const csv = file.toString('utf8');
    const last = csv.trim().split(/\r?\n/).pop()!.split(',');
    expect(last.slice(2, 6)).toEqual(['Tổng cộng', '2704', '952', '1752']);

    expect(page.url()).toBe(`${origin}/dashboard/`);
    expect(await page.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'dashboard-april-2020.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('when the XLSX button is pressed, then the workbook arrives through fetch with the token as a header', async () => {
    const { page, problems } = await open();
    const token = await signIn(page, STAFF);
    await pickApril(page);
    const seen: { url: string; authorization?: string }[] = [];
    page.on('request', (r) => { if (r.url().includes('/reports/')) seen.push({ url: r.url(), authorization: r.headers().authorization }); });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'XLSX' }).click()]);
    expect(download.suggestedFilename()).toBe('bao-cao-II.06a_2020-04-01_2020-04-30.xlsx');
    // XLSX is a zip: it starts with PK.
    expect(readFileSync((await download.path())!).subarray(0, 2).toString()).toBe('PK');
    expect(seen).toEqual([{ url: `${origin}/reports/monthly.xlsx?from=2020-04-01&to=2020-04-30`, authorization: `Bearer ${token}` }]);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('when an officer of SGTVT signs in, then the report is their department\'s alone and they cannot choose another', async () => {
    const { page, problems } = await open();
    await signIn(page, SGTVT);
    await pickApril(page);
    expect(await page.locator('select[name=department]').isDisabled()).toBe(true);
    expect(await page.locator('select[name=department] option').evaluateAll((o) => o.map((e) => (e as HTMLOptionElement).value))).toEqual(['SGTVT']);
    const rows = await page.locator('table.form-ii06a tbody tr').evaluateAll((r) => r.map((e) => e.getAttribute('data-department')));
    expect(rows).toEqual(['SGTVT']);
    const graph = await system.query(TOTALS, { departmentCode: 'SGTVT' }, SGTVT);
    const received = (await cells(page, ''))[5];
    expect(received).toBe(new Intl.NumberFormat('vi-VN').format(graph.data.report.received.total));
    await page.screenshot({ path: join(SHOTS, 'dashboard-officer-sgtvt.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('when centre staff search without diacritics, then the dossier opens with its record, deadline and timeline across systems', async () => {
    const { page, problems } = await open();
    await signIn(page, STAFF);
    await page.getByRole('button', { name: 'Hồ sơ' }).click();
    await page.locator('input[name=search]').fill('nguyen');
    await page.locator('input[name=search]').press('Enter');
    const first = page.locator('table.dossier-list tbody tr').first();
    await first.waitFor();
    expect(await first.locator('td').nth(1).innerText()).toMatch(/Nguyễn/);
    await first.getByRole('button').click();
    await page.locator('#dossier-code').waitFor();
    expect(await page.locator('ol.timeline li').count()).toBeGreaterThan(1);
    expect(await page.locator('dd[data-field=idNumber]').innerText()).toMatch(/^\d{12}$/);
    await page.screenshot({ path: join(SHOTS, 'dashboard-dossier.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('when a report builder opens the dossiers, then names come masked and a search is refused in words that say what the role may see', async () => {
    const { page, problems } = await open();
    await signIn(page, BUILDER);
    await page.getByRole('button', { name: 'Hồ sơ' }).click();
    const first = page.locator('table.dossier-list tbody tr').first();
    await first.waitFor();
    expect(await first.locator('td').nth(1).innerText()).toMatch(/^(\S\. ?)+$/);
    await page.locator('input[name=search]').fill('nguyen');
    await page.locator('input[name=search]').press('Enter');
    await page.locator('.problems', { hasText: 'Vai trò REPORT_BUILDER không được xem nội dung này' }).waitFor();
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('when English is chosen, then the labels are English and the numbers are written the English way', async () => {
    const { page, problems } = await open();
    await page.getByRole('button', { name: 'English' }).click();
    await signIn(page, BUILDER);
    await pickApril(page);
    expect((await cells(page, '')).slice(2, 6)).toEqual(['Total', '2,704', '952', '1,752']);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('when axe-core checks the sign-in, report and dossier pages, then it finds no serious or critical violation', async () => {
    const { page } = await open();
    const serious = async () => (await new AxeBuilder({ page }).analyze()).violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(await serious()).toEqual([]);
    await signIn(page, STAFF);
    await pickApril(page);
    expect(await serious()).toEqual([]);
    await page.getByRole('button', { name: 'Hồ sơ' }).click();
    await page.locator('table.dossier-list tbody tr').first().waitFor();
    expect(await serious()).toEqual([]);
    await page.context().close();
  });

  it('when a token is not valid, then the sign-in says so and keeps the form', async () => {
    const { page } = await open();
    await page.locator('input[name=token]').fill('not-a-token');
    await page.locator('input[name=token]').press('Enter');
    await page.locator('.problems', { hasText: 'Mã truy cập không hợp lệ hoặc đã hết hạn.' }).waitFor();
    expect(await page.locator('input[name=token]').count()).toBe(1);
    await page.context().close();
  });

  it('when a department\'s system is down, then the report names the department whose figures are withheld', async () => {
    const { page } = await open();
    await signIn(page, BUILDER);
    await system.subgraphs.transport.server.close();
    await page.locator('input[name=from]').fill('2020-04-01');
    await page.locator('input[name=to]').fill('2020-04-30');
    await page.locator('input[name=to]').press('Enter');
    await page.locator('.problems', { hasText: 'Hệ thống của Sở Giao thông vận tải (SGTVT) đang không trả lời' }).waitFor();
    // One line, naming the department: the totals withheld on its account say nothing more.
    expect(await page.locator('.problems p').allInnerTexts()).toEqual([
      'Hệ thống của Sở Giao thông vận tải (SGTVT) đang không trả lời: số liệu của đơn vị này tạm thời chưa có, nên tổng số không được hiển thị. Vui lòng thử lại sau.',
    ]);
    await page.screenshot({ path: join(SHOTS, 'dashboard-withheld.png'), fullPage: true });
    await page.context().close();
  });
});
