import { once } from 'node:events';
import type express from 'express';
import type { GraphQLFormattedError } from 'graphql';
import type { ApolloServer } from '@apollo/server';
import type { GatewayContext } from './gateway';
import type { Authenticate } from './auth';
import { refuse } from './exports';
import { requestIdOf } from '../subgraphs/kit/http';
import { parseDate, period } from '../subgraphs/kit/report/period';
import type { Identity } from '../subgraphs/kit/identity';
import type { Logger } from '../subgraphs/kit/logger';

/**
 * GET /exports/national-sync.jsonl?from&to[&pageSize]: every dossier received in the period, in its current state, as
 * the national public-service portal's dossier sync (DongBoHoSoMC) takes it, one JSON object a line
 * (docs/national-sync.md has the fields, the status mapping and what cannot be mapped exactly).
 */
export const QUERY = `query NationalSync($filter: DossierFilter!, $first: Int!, $after: String) {
  dossiers(filter: $filter, first: $first, after: $after, orderBy: RECEIVED_AT_ASC) {
    edges { node {
      code channel receivedAt dueAt returnedAt returnChannel withdrawnAt
      applicant { fullName }
      procedure { code name }
      department { name }
      processing { status decidedAt }
    } }
    pageInfo { hasNextPage endCursor }
  } }`;

/** The page the graph allows at most (DossierConnection): each page is one query, whatever its size. */
export const MAX_SYNC_PAGE = 100;

/** Who syncs with the portal: the integration service, or centre staff running it by hand. */
const SYNC_ROLES: ReadonlySet<string> = new Set(['SERVICE', 'CENTRE_STAFF']);

/** Our status (the national portal's list, as ProcessingStatus names it) to the portal's TrangThaiHoSo code. */
export const NATIONAL_STATUS: Readonly<Record<string, string>> = {
  RECEIVING: '1',
  NEW: '2',
  DENIED: '3',
  PROCESSING: '4',
  WAITING: '5',
  PAYING: '6',
  CANCELLED: '7',
  UNRESOLVED: '8',
  RELEASING: '9',
  DONE: '10',
};

/** The channel the dossier came in by (KenhThucHien): 1 at the counter, 2 online, 3 by post. */
const NATIONAL_CHANNEL: Readonly<Record<string, string>> = { DIRECT: '1', ONLINE: '2', POSTAL: '3' };

const VIETNAM_OFFSET_MS = 7 * 3_600_000;

/** yyyyMMddHHmmss in Asia/Ho_Chi_Minh (fixed +07:00, no daylight saving), '' for none, as OpenCPS writes dates. */
export function portalDate(iso: string | null | undefined): string {
  if (!iso) return '';
  return new Date(new Date(iso).getTime() + VIETNAM_OFFSET_MS).toISOString().slice(0, 19).replace(/\D/g, '');
}

export function syncRecord(d: any): Record<string, unknown> {
  // No processing record yet: the hand-over is still on its way, and the centre has accepted the dossier.
  const status = d.processing?.status ?? 'NEW';
  return {
    MaHoSo: d.code,
    MaTTHC: d.procedure.code,
    TenTTHC: d.procedure.name,
    MaLinhVuc: '',
    TenLinhVuc: '',
    KenhThucHien: NATIONAL_CHANNEL[d.channel],
    ChuHoSo: d.applicant.fullName,
    LoaiDoiTuong: '1',
    MaDoiTuong: '',
    ThongTinKhac: '',
    NgayTiepNhan: portalDate(d.receivedAt),
    NgayHenTra: portalDate(d.dueAt),
    TrangThaiHoSo: NATIONAL_STATUS[status],
    NgayTra: portalDate(d.returnedAt),
    ThongTinTra: '',
    HinhThuc: d.returnChannel === 'POSTAL' ? '1' : '0',
    NgayKetThucXuLy: portalDate(d.processing?.decidedAt ?? d.withdrawnAt),
    DonViXuLy: d.department.name,
    GhiChu: '',
    DanhSachLePhi: [],
  };
}

type Page = { lines: string[]; after: string | null } | { errors: readonly GraphQLFormattedError[] | undefined };

async function page(apollo: ApolloServer<GatewayContext>, identity: Identity, requestId: string, variables: Record<string, unknown>): Promise<Page> {
  const result = await apollo.executeOperation({ query: QUERY, variables }, { contextValue: { requestId, identity } });
  const body = result.body.kind === 'single' ? result.body.singleResult : null;
  const dossiers = (body?.data as any)?.dossiers;
  if (!dossiers || body?.errors?.length) return { errors: body?.errors };
  return {
    lines: dossiers.edges.map((e: any) => `${JSON.stringify(syncRecord(e.node))}\n`),
    after: dossiers.pageInfo.hasNextPage ? dossiers.pageInfo.endCursor : null,
  };
}

/** Until the client takes more, or goes away; the listener left waiting is removed, page after page. */
async function drainedOrClosed(res: express.Response): Promise<void> {
  const done = new AbortController();
  await Promise.race([once(res, 'drain', { signal: done.signal }), once(res, 'close', { signal: done.signal })]).finally(() => done.abort());
}

function badInput(res: express.Response, message: string, field: string, requestId: string): void {
  res.status(400).json({ error: message, code: 'BAD_USER_INPUT', field, requestId });
}

export function nationalSyncRoutes(app: express.Express, apollo: ApolloServer<GatewayContext>, authenticate: Authenticate, log: Logger): void {
  app.get('/exports/national-sync.jsonl', async (req, res) => {
    // Names of applicants: no browser or proxy keeps a copy, refusals included.
    res.set('cache-control', 'no-store');
    const requestId = requestIdOf(req.headers['x-request-id']);
    const { from, to, pageSize } = req.query;
    for (const [field, value] of [['from', from], ['to', to]] as const) {
      try {
        parseDate(value);
      } catch {
        return badInput(res, `${field} must be a calendar date YYYY-MM-DD`, field, requestId);
      }
    }
    let span;
    try {
      span = period(from as string, to as string);
    } catch (e) {
      return badInput(res, (e as Error).message, String((e as any).extensions?.field ?? 'from'), requestId);
    }
    const first = pageSize === undefined ? MAX_SYNC_PAGE : typeof pageSize === 'string' && /^\d{1,3}$/.test(pageSize) ? Number(pageSize) : 0;
    if (first < 1 || first > MAX_SYNC_PAGE) {
      return badInput(res, `pageSize must be a whole number from 1 to ${MAX_SYNC_PAGE}`, 'pageSize', requestId);
    }
    let identity: Identity;
    try {
      identity = await authenticate(req.headers.authorization);
    } catch {
      res.status(401).json({ error: 'the token is not valid', code: 'UNAUTHENTICATED', requestId });
      return;
    }
    if (!SYNC_ROLES.has(identity.role)) {
      res.status(403).json({ error: 'the national sync is exported by the centre or its integration service', code: 'FORBIDDEN', requestId });
      return;
    }
    const filter = { receivedFrom: span.start.toISOString(), receivedTo: span.end.toISOString() };
    let next = await page(apollo, identity, requestId, { filter, first, after: null });
    if ('errors' in next) return refuse(res, next.errors, requestId, log, 'national sync export failed');
    res.status(200).type('application/x-ndjson; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="dong-bo-ho-so_${from}_${to}.jsonl"`);
    for (;;) {
      if (!res.write(next.lines.join(''))) await drainedOrClosed(res);
      // A client that went away costs the graph no further page.
      if (res.destroyed) return;
      if (!next.after) break;
      next = await page(apollo, identity, requestId, { filter, first, after: next.after });
      if ('errors' in next) {
        // The status is sent: cut the stream short so that a partial file never reads as a whole one.
        log.error({ requestId, code: String(next.errors?.[0]?.extensions?.code ?? 'INTERNAL_SERVER_ERROR') }, 'national sync export failed');
        res.destroy();
        return;
      }
    }
    res.end();
  });
}
