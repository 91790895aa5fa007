import type { EntityManager } from 'typeorm';
import { badUserInput } from '../kit/errors';
import { RejectedMessage, type Handler } from '../kit/messaging/handover';
import type { ShippedAccess } from '../kit/audit/access-shipping';
import { SHIPMENT_SIZE } from '../kit/audit/access-shipping';
import { PERIOD_RECORD } from '../kit/periods/period.store';

export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 100;

/** Where a page starts: the last access of the page before, ordered by (at, system, record), newest first. */
export interface AccessCursor {
  /** PostgreSQL's own text of the instant, to the microsecond. */
  at: string;
  system: string;
  id: string;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const RECORD_ID = /^\d{1,19}$/;

export function encodeCursor(c: AccessCursor): string {
  return Buffer.from(JSON.stringify([c.at, c.system, c.id])).toString('base64url');
}

export function decodeCursor(text: string): AccessCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  if (
    !Array.isArray(parsed) || parsed.length !== 3 ||
    typeof parsed[0] !== 'string' || !INSTANT.test(parsed[0]) ||
    typeof parsed[1] !== 'string' || !/^[a-z][a-z-]{0,39}$/.test(parsed[1]) ||
    typeof parsed[2] !== 'string' || !RECORD_ID.test(parsed[2])
  ) {
    throw badUserInput('after is not a cursor of myDataAccesses', { field: 'after' });
  }
  return { at: parsed[0], system: parsed[1], id: parsed[2] };
}

export function pageSize(first: number | null | undefined): number {
  const n = first ?? DEFAULT_PAGE;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) throw badUserInput(`first must be between 1 and ${MAX_PAGE}`, { field: 'first' });
  return n;
}

export interface AccessRow {
  system: string;
  id: string;
  at: string;
  role: string;
  department: string | null;
  fields: string[];
  operation: string;
  dossier_code: string;
}

/**
 * The newest accesses to the citizen's dossiers older than the cursor: the register's own audit and what the other
 * systems shipped, in one statement. The citizen's own reads and refused attempts (which disclosed nothing) are left out.
 */
export function citizenAccesses(m: EntityManager, citizenId: string, first: number, after: AccessCursor | null): Promise<AccessRow[]> {
  return m.query(
    `WITH mine AS (SELECT code FROM dossier WHERE applicant_id_number = $1)
     SELECT x.system, x.id::text AS id, to_char(x.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at,
            x.role, x.department, x.fields, x.operation, x.dossier_code
       FROM (SELECT 'intake'::text AS system, a.id, a.at, a.role, a.department, a.fields, a.operation, a.dossier_code
               FROM audit_record a
              WHERE a.dossier_code IN (SELECT code FROM mine) AND a.allowed AND a.role <> 'CITIZEN'
             UNION ALL
             SELECT d.system, d.record_id, d.at, d.role, d.department, d.fields, d.operation, d.dossier_code
               FROM data_access d
              WHERE d.dossier_code IN (SELECT code FROM mine)) x
      WHERE $3::timestamptz IS NULL OR (x.at, x.system COLLATE "C", x.id) < ($3::timestamptz, $4::text COLLATE "C", $5::bigint)
      ORDER BY x.at DESC, x.system COLLATE "C" DESC, x.id DESC
      LIMIT $2`,
    [citizenId, first, after?.at ?? null, after?.system ?? '', after?.id ?? '0'],
  );
}

const isShipped = (a: unknown): a is ShippedAccess => {
  const r = a as Record<string, unknown>;
  return typeof r === 'object' && r !== null
    && typeof r.id === 'string' && RECORD_ID.test(r.id)
    && typeof r.at === 'string' && INSTANT.test(r.at)
    && typeof r.role === 'string' && r.role.length <= 32
    && (r.department === null || (typeof r.department === 'string' && r.department.length <= 20))
    && Array.isArray(r.fields) && r.fields.every((f) => typeof f === 'string' && f.length <= 64)
    && (r.operation === 'READ' || r.operation === 'WRITE')
    && typeof r.dossierCode === 'string' && r.dossierCode.length <= 40;
};

/**
 * Keeps the accesses another system shipped, under the sender its signature proved; a shipment delivered twice
 * (or overlapping one before it) adds nothing.
 */
export const receiveDataAccesses: Handler = async (m, message) => {
  const shipped = message.payload.accesses;
  if (!Array.isArray(shipped) || shipped.length > SHIPMENT_SIZE) throw new RejectedMessage('not a shipment of accesses');
  // Shipments made before the systems left their periods' signatures out carry them: no one's data, skipped, so a
  // refused shipment revived from the dead letters is kept whole.
  const accesses = shipped.filter((a) => !String((a as { dossierCode?: unknown })?.dossierCode).startsWith(PERIOD_RECORD));
  if (!accesses.every(isShipped)) throw new RejectedMessage('not a shipment of accesses');
  if (accesses.length === 0) return;
  await m.query(
    `INSERT INTO data_access (system, record_id, at, role, department, fields, operation, dossier_code)
     SELECT $1, a.id::bigint, a.at::timestamptz, a.role, a.department, ARRAY(SELECT json_array_elements_text(a.fields)), a.operation, a."dossierCode"
       FROM json_to_recordset($2::json) AS a(id text, at text, role text, department text, fields json, operation text, "dossierCode" text)
     ON CONFLICT (system, record_id) DO NOTHING`,
    [message.source, JSON.stringify(accesses)],
  );
};
