import { Ctx, Directive, Field, FieldResolver, ID, ObjectType, Resolver, Root } from 'type-graphql';
import type { DataSource } from 'typeorm';
import { badUserInput, forbidden } from '../errors';
import type { Identity } from '../identity';
import type { RequestContext } from '../subgraph';

export const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * One access to the caller's own personal data, as a citizen may see it: which system, which role and
 * department, never which officer (the subject stays in the audit table for the operator).
 */
@ObjectType({ description: "An access to the caller's personal data, from the audit of the system that holds it." })
@Directive('@shareable')
export class DataAccess {
  @Field(() => Date)
  at: Date;

  @Field({ description: 'The system that logged the access (a registry name: intake, postal, transport, police, industry-trade).' })
  system: string;

  @Field({ description: 'The role of whoever accessed the data; never their identity.' })
  role: string;

  @Field(() => String, { nullable: true, description: "The accessing officer's department, for department officers." })
  departmentCode: string | null;

  @Field(() => [String], { description: 'The personal fields read or written.' })
  fields: string[];

  @Field({ description: 'READ or WRITE.' })
  operation: string;

  @Field()
  dossierCode: string;

  @Field({ description: 'Pass as `after` to get the accesses older than this one.' })
  cursor: string;
}

/** The selection each system's part is required with, for the merge in the register. */
export const DATA_ACCESS_SELECTION = 'at system role departmentCode fields operation dossierCode cursor';

export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 100;

/** Where a page starts: the last access of the page before, ordered by (at, system, id), newest first. */
export interface AccessCursor {
  /** PostgreSQL's own text of the instant, to the microsecond. */
  at: string;
  system: string;
  id: string;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

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
    typeof parsed[2] !== 'string' || !/^\d{1,19}$/.test(parsed[2])
  ) {
    throw badUserInput('after is not a cursor of myDataAccesses', { field: 'after' });
  }
  return { at: parsed[0], system: parsed[1], id: parsed[2] };
}

/** The page's key carries its arguments (route by value), so each system answers the same window. */
export interface PageWindow {
  first: number;
  after: AccessCursor | null;
}

export function pageKey(first: number | null | undefined, after: string | null | undefined): string {
  const n = first ?? DEFAULT_PAGE;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) throw badUserInput(`first must be between 1 and ${MAX_PAGE}`, { field: 'first' });
  if (after) decodeCursor(after);
  return `${n}:${after ?? ''}`;
}

export function parsePageKey(id: string): PageWindow {
  const [first, after] = [id.slice(0, id.indexOf(':')), id.slice(id.indexOf(':') + 1)];
  const n = Number(first);
  if (!/^\d{1,3}$/.test(first) || n < 1 || n > MAX_PAGE) throw badUserInput('not a page of myDataAccesses');
  return { first: n, after: after ? decodeCursor(after) : null };
}

/** Only the data subject, and only through the identity the gateway signed: no argument names the person. */
export function citizenOf(identity: Identity): string {
  if (identity.role !== 'CITIZEN' || !identity.citizenId) throw forbidden('only a citizen may read the accesses to their own data');
  return identity.citizenId;
}

/**
 * The newest accesses to the citizen's data in one system's audit, older than the cursor: the
 * system's own dossiers of that citizen (`citizenDossiers`, SQL with the ID number as $1) joined with
 * its own audit table. The citizen's own reads and refused attempts (which disclosed nothing) are left out.
 * One more row than asked for is fetched, to tell the register whether a next page exists.
 */
export async function citizenAccesses(
  db: DataSource,
  system: string,
  citizenDossiers: string,
  citizenId: string,
  window: PageWindow,
): Promise<DataAccess[]> {
  const c = window.after;
  const rows: { id: string; at: string; role: string; department: string | null; fields: string[]; operation: string; dossier_code: string }[] =
    await db.query(
      `SELECT a.id::text AS id, to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at,
              a.role, a.department, a.fields, a.operation, a.dossier_code
         FROM audit_record a
        WHERE a.dossier_code IN (${citizenDossiers})
          AND a.allowed AND a.role <> 'CITIZEN'
          AND ($3::timestamptz IS NULL OR (a.at, $4::text COLLATE "C", a.id) < ($3::timestamptz, $5::text COLLATE "C", $6::bigint))
        ORDER BY a.at DESC, a.id DESC
        LIMIT $2`,
      [citizenId, window.first + 1, c?.at ?? null, system, c?.system ?? '', c?.id ?? '0'],
    );
  return rows.map((r) =>
    Object.assign(new DataAccess(), {
      at: new Date(r.at),
      system,
      role: r.role,
      departmentCode: r.department,
      fields: r.fields,
      operation: r.operation,
      dossierCode: r.dossier_code,
      cursor: encodeCursor({ at: r.at, system, id: r.id }),
    }),
  );
}

function compareNewestFirst(a: AccessCursor, b: AccessCursor): number {
  if (a.at !== b.at) return a.at < b.at ? 1 : -1;
  if (a.system !== b.system) return a.system < b.system ? 1 : -1;
  const [x, y] = [BigInt(a.id), BigInt(b.id)];
  return x === y ? 0 : x < y ? 1 : -1;
}

export interface AccessPage {
  accesses: DataAccess[];
  hasNextPage: boolean;
}

/** Every system's newest window, merged: the page is the newest `first` of their union. */
export function mergeAccesses(parts: DataAccess[][], first: number): AccessPage {
  const all = parts.flat().map((a) => ({ a, c: decodeCursor(a.cursor) }));
  all.sort((x, y) => compareNewestFirst(x.c, y.c));
  return { accesses: all.slice(0, first).map((x) => x.a), hasNextPage: all.length > first };
}

/**
 * A system's part of the citizen's page: `DataAccessPage.<system>`, its newest accesses in the page's
 * window, which the register @requires and merges.
 */
export function dataAccessesFor(system: string, citizenDossiers: string) {
  @ObjectType('DataAccessPage', { description: 'A page of the accesses to the caller\'s personal data, across every system.' })
  @Directive('@key(fields: "id")')
  class DataAccessPage {
    @Field(() => ID)
    id: string;
  }

  @Resolver(() => DataAccessPage)
  class DataAccessPartResolver {
    @FieldResolver(() => [DataAccess], {
      name: camel(system),
      description: `The newest accesses to the caller's data logged by the ${system} system in this page's window (one more than the page, to tell whether more follow).`,
    })
    part(@Root() page: DataAccessPage, @Ctx() ctx: RequestContext<unknown>): Promise<DataAccess[]> {
      const citizenId = citizenOf(ctx.identity);
      return citizenAccesses(ctx.db, system, citizenDossiers, citizenId, parsePageKey(page.id));
    }
  }

  return {
    type: DataAccessPage,
    resolver: DataAccessPartResolver,
    reference: { DataAccessPage: { __resolveReference: (ref: { id: string }) => Object.assign(new DataAccessPage(), { id: ref.id }) } },
  };
}
