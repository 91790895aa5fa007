import { createHash } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import express from 'express';
import type { GraphQLFormattedError } from 'graphql';
import type { ApolloServer } from '@apollo/server';
import type { GatewayContext } from './gateway';
import type { Authenticate } from './auth';
import { requestIdOf } from '../subgraphs/kit/http';
import { CLIENT_CODES } from '../subgraphs/kit/errors';
import type { Logger } from '../subgraphs/kit/logger';

/**
 * The report table as files for the report builders' spreadsheets: GET /reports/monthly.csv|.xlsx?from&to
 * [&departmentCode], with the same token and the same access rules as the graph (it runs the graph's query).
 * A closed period's file carries an ETag and may be kept privately and revalidated; any other is no-store.
 */
export const QUERY = `query Export($from: Date!, $to: Date!, $departmentCode: String) {
  report(from: $from, to: $to, departmentCode: $departmentCode) {
    from to carriedOver withdrawn returnedByPost balanced published
    received { total online direct postal } resolved { total early onTime late } inProcess { total overdue }
    ratings { total verySatisfied satisfied dissatisfied }
    rates { online direct postal early onTime late earlyOrOnTime returnedByPost verySatisfied satisfied dissatisfied }
    byDepartment { department { code name } carriedOver withdrawn received { total online direct postal }
      resolved { total early onTime late } inProcess { total overdue } }
    narrative
    reconciliation { consistent problems }
    revisions { system month departmentCode reason at }
  } }`;

interface Figures {
  carriedOver: number;
  withdrawn: number;
  received: { total: number; online: number; direct: number; postal: number };
  resolved: { total: number; early: number; onTime: number; late: number };
  inProcess: { total: number; overdue: number };
}

/** Form II.06a's columns, with the channels and the post returns the centre also publishes. */
export const COLUMNS = [
  'STT', 'Mã đơn vị', 'Đơn vị', 'Tổng số hồ sơ', 'Kỳ trước chuyển qua', 'Mới tiếp nhận', 'Trực tuyến', 'Trực tiếp',
  'Bưu chính công ích', 'Đã giải quyết', 'Trước hạn', 'Đúng hạn', 'Quá hạn', 'Rút hồ sơ', 'Đang giải quyết', 'Trong hạn',
  'Quá hạn (đang giải quyết)', 'Trả kết quả qua BCCI',
];

function row(n: number | string, code: string, name: string, f: Figures, byPost: number | string): (string | number)[] {
  return [
    n, code, name, f.carriedOver + f.received.total, f.carriedOver, f.received.total, f.received.online, f.received.direct,
    f.received.postal, f.resolved.total, f.resolved.early, f.resolved.onTime, f.resolved.late, f.withdrawn, f.inProcess.total,
    f.inProcess.total - f.inProcess.overdue, f.inProcess.overdue, byPost,
  ];
}

export function reportTable(report: any): (string | number)[][] {
  return [
    ...report.byDepartment.map((d: any, i: number) => row(i + 1, d.department.code, d.department.name, d, '')),
    row('', '', 'Tổng cộng', report, report.returnedByPost),
  ];
}

export function toCsv(report: any): string {
  // escape_formulas: a cell starting with =, +, -, @, a tab or a CR (names are data the catalogue import edits)
  // gets a leading ', so that a spreadsheet shows it as text instead of running it. A BOM, so that spreadsheet
  // programs read the Vietnamese names as UTF-8. A lone CR or LF is quoted too: a reader would break the row there.
  return stringify([COLUMNS, ...reportTable(report)], { bom: true, record_delimiter: 'windows', escape_formulas: true, quoted_match: /[\r\n]/ });
}

/** csv-stringify's escape_formulas, for the workbook's text cells: a file saved from it as CSV stays inert too. */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
const inert = <T>(v: T): T | string => (typeof v === 'string' && FORMULA_START.test(v) ? `'${v}` : v);
const inertRow = (r: unknown[]) => r.map(inert);

export async function toXlsx(report: any): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'motcua-graph';
  const sheet = book.addWorksheet('II.06a');
  sheet.addRow(['TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH']).font = { bold: true, size: 13 };
  sheet.addRow([`Kỳ báo cáo: từ ${report.from} đến ${report.to}`]);
  sheet.addRow([]);
  const header = sheet.addRow(COLUMNS);
  header.font = { bold: true };
  header.alignment = { wrapText: true, vertical: 'middle', horizontal: 'center' };
  const table = reportTable(report);
  table.forEach((r, i) => {
    const added = sheet.addRow(inertRow(r));
    if (i === table.length - 1) added.font = { bold: true };
  });
  sheet.columns.forEach((c, i) => (c.width = i === 2 ? 42 : i < 2 ? 16 : 12));
  sheet.views = [{ state: 'frozen', ySplit: 4, xSplit: 3 }];

  const rates = book.addWorksheet('Tỷ lệ');
  rates.addRow(['Chỉ tiêu', 'Tỷ lệ (%)']).font = { bold: true };
  const labels: [string, string][] = [
    ['online', 'Tiếp nhận trực tuyến'], ['direct', 'Tiếp nhận trực tiếp'], ['postal', 'Tiếp nhận qua BCCI'],
    ['early', 'Giải quyết trước hạn'], ['onTime', 'Giải quyết đúng hạn'], ['late', 'Giải quyết quá hạn'],
    ['earlyOrOnTime', 'Đúng hạn và trước hạn'], ['returnedByPost', 'Trả kết quả qua BCCI'],
    ['verySatisfied', 'Rất hài lòng'], ['satisfied', 'Hài lòng'], ['dissatisfied', 'Không hài lòng'],
  ];
  for (const [key, label] of labels) rates.addRow([label, report.rates[key]]);
  rates.getColumn(1).width = 32;

  const notes = book.addWorksheet('Thuyết minh');
  notes.getColumn(1).width = 120;
  notes.addRow(inertRow([report.narrative])).alignment = { wrapText: true };
  notes.addRow([report.balanced ? 'Số liệu cân đối.' : 'Số liệu chưa cân đối.']);
  for (const p of report.reconciliation.problems) notes.addRow(inertRow([p]));
  // A closed month's later changes stand beside its published figures, never in them (docs/closed-periods.md).
  for (const r of report.revisions ?? []) {
    notes.addRow(inertRow([`Điều chỉnh sau công bố (${r.system}, ${r.month}, ${r.departmentCode}, ${r.at}): ${r.reason}`]));
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** An export's answer to a graph error: its code as the HTTP status, or an opaque 500 (logged). */
export function refuse(res: express.Response, errors: readonly GraphQLFormattedError[] | undefined, requestId: string, log: Logger, what: string): void {
  // A coded error says more than the opaque one a failed hop adds beside it.
  const error = errors?.find((e) => CLIENT_CODES.has(String(e.extensions?.code))) ?? errors?.[0];
  const code = String(error?.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
  const status = { BAD_USER_INPUT: 400, FORBIDDEN: 403, UNAUTHENTICATED: 401, UNAVAILABLE: 503 }[code] ?? 500;
  if (status === 500) log.error({ requestId, code }, what);
  res.status(status).json({ error: status === 500 ? 'Internal server error' : error?.message, code, requestId });
}

/** If-None-Match as RFC 9110 reads it: `*`, or a list of tags compared weakly. */
function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.trim() === '*' || header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

export function exportRoutes(app: express.Express, apollo: ApolloServer<GatewayContext>, authenticate: Authenticate, log: Logger): void {
  app.get(/^\/reports\/monthly\.(csv|xlsx)$/, async (req, res) => {
    // Per-department figures that change while a period is open: no browser or proxy keeps a copy, refusals included.
    res.set('cache-control', 'no-store');
    const format = req.path.endsWith('.xlsx') ? 'xlsx' : 'csv';
    const requestId = requestIdOf(req.headers['x-request-id']);
    const { from, to, departmentCode } = req.query;
    if (typeof from !== 'string' || typeof to !== 'string') {
      res.status(400).json({ error: 'from and to (YYYY-MM-DD) are required', code: 'BAD_USER_INPUT' });
      return;
    }
    let identity;
    try {
      identity = await authenticate(req.headers.authorization);
    } catch {
      res.status(401).json({ error: 'the token is not valid', code: 'UNAUTHENTICATED' });
      return;
    }
    const result = await apollo.executeOperation(
      { query: QUERY, variables: { from, to, departmentCode: typeof departmentCode === 'string' ? departmentCode : null } },
      { contextValue: { requestId, identity } },
    );
    const body = result.body.kind === 'single' ? result.body.singleResult : null;
    if (!body?.data?.report || body.errors?.length) {
      refuse(res, body?.errors, requestId, log, 'report export failed');
      return;
    }
    const report = body.data.report as { published?: boolean | null };
    if (report.published) {
      // A closed month's figures are frozen: a spreadsheet or browser may keep its copy and ask whether it still
      // holds. The tag is the file's figures (not its bytes: a workbook carries the time it was written), so a
      // revision or a change in the live reconciliation makes a new one.
      const etag = `"${createHash('sha256').update(`${format}\u0000${JSON.stringify(report)}`).digest('base64url')}"`;
      res.set({ 'cache-control': 'private, no-cache', etag, vary: 'Authorization' });
      if (ifNoneMatch(req.headers['if-none-match'], etag)) {
        res.status(304).end();
        return;
      }
    }
    const name = `bao-cao-II.06a_${from}_${to}${typeof departmentCode === 'string' ? `_${departmentCode}` : ''}.${format}`;
    res.setHeader('content-disposition', `attachment; filename="${name}"`);
    if (format === 'csv') {
      res.type('text/csv; charset=utf-8').send(toCsv(report));
    } else {
      res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await toXlsx(report));
    }
  });
}
