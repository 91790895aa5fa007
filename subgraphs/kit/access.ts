import type { MiddlewareFn } from 'type-graphql';
import { forbidden, notFound } from './errors';
import type { Identity } from './identity';
import type { RequestContext } from './subgraph';

/** What each system keeps on a row to decide who may see it, without asking another system. */
export interface DossierScope {
  dossierCode: string;
  departmentCode: string | null;
  applicantIdNumber: string | null;
}

/**
 * FULL: the dossier and the person; MASKED: the dossier, personal fields masked; NONE: nothing.
 * Centre staff see every dossier; an officer sees their department's; a citizen sees their own; report
 * builders and other systems see dossiers but never a person; callers without a token see none.
 */
export type Access = 'FULL' | 'MASKED' | 'NONE';

export function dossierAccess(who: Identity, d: DossierScope): Access {
  switch (who.role) {
    case 'CENTRE_STAFF':
      return 'FULL';
    case 'DEPARTMENT_OFFICER':
      return d.departmentCode !== null && who.department === d.departmentCode ? 'FULL' : 'NONE';
    case 'CITIZEN':
      return d.applicantIdNumber !== null && who.citizenId === d.applicantIdNumber ? 'FULL' : 'NONE';
    case 'REPORT_BUILDER':
    case 'SERVICE':
      return 'MASKED';
    default:
      return 'NONE';
  }
}

/** Roles that see every dossier (some masked), so may be told that one does not exist. */
export const SEES_ALL: ReadonlySet<string> = new Set(['CENTRE_STAFF', 'REPORT_BUILDER', 'SERVICE']);

/**
 * The one answer for a dossier the caller may not see and for one that does not exist, so that neither
 * tells whether it exists; it names no code, because a caller may have come by a tracking number.
 */
export const noSuchDossier = () => notFound('no such dossier');

/** Refuses a row the caller may not see (NOT_FOUND, as for a missing one), and logs the refusal in the audit trail. */
export function guard<T extends DossierScope>(ctx: RequestContext<unknown>, row: T | null): T | null {
  if (!row) return null;
  if (dossierAccess(ctx.identity, row) === 'NONE') {
    ctx.audit.deny(row, 'READ');
    throw noSuchDossier();
  }
  return row;
}

/** A root lookup: null for a missing row only to roles that see every dossier; NOT_FOUND to the rest, seen or missing. */
export function lookup<T extends DossierScope>(ctx: RequestContext<unknown>, row: T | null): T | null {
  if (!row && !SEES_ALL.has(ctx.identity.role)) throw noSuchDossier();
  return guard(ctx, row);
}

export function scopeOf(root: unknown): DossierScope {
  const r = root as Partial<DossierScope> & { scope?: DossierScope };
  return r.scope ?? { dossierCode: r.dossierCode!, departmentCode: r.departmentCode ?? null, applicantIdNumber: r.applicantIdNumber ?? null };
}

/**
 * A personal-data field: shown whole only to callers with full access (and each such read is audited),
 * masked for callers who may see the dossier but not the person, refused to anyone else.
 */
export function PersonalData(mask: (value: any) => unknown): MiddlewareFn<RequestContext<unknown>> {
  return async ({ root, context, info }, next) => {
    const scope = scopeOf(root);
    const access = dossierAccess(context.identity, scope);
    if (access === 'NONE') {
      context.audit.deny(scope, 'READ', info.fieldName);
      throw forbidden('access denied to personal data');
    }
    const value = await next();
    if (value === null || value === undefined) return value;
    if (access === 'MASKED') return mask(value);
    context.audit.read(scope, info.fieldName);
    return value;
  };
}

/** Free text (notes, reasons): personal data may hide in it, so callers who see persons masked get none of it. */
export const FreeText = () => PersonalData(() => null);
