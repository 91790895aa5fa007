import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, GraphQLRequestContext, GraphQLResponse } from '@apollo/server';
import { DocumentNode, Kind, OperationDefinitionNode, visit } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Counter } from 'prom-client';
import type { Identity } from '../../subgraphs/kit/identity';

/**
 * Fields of the report that stay live after a month is closed (docs/closed-periods.md): where the systems stand
 * now, and the per-procedure and per-officer figures, which are not frozen. An operation selecting one is not cached.
 */
const LIVE_FIELDS = new Set([
  'reconciliation', 'narrative', 'byProcedure', 'processingByProcedure', 'byOfficer', 'unreportedDecisions', 'receivedDays', 'statusesInFlight',
]);

export interface ReportCacheOptions {
  /** Answers kept, least recently used first out. */
  maxEntries: number;
  /** How long an answer is kept at most: the catalogue's names in it (a department renamed) are not frozen. */
  ttlMs: number;
}

/** As the configuration's defaults (REPORT_CACHE_ENTRIES, REPORT_CACHE_TTL_SECONDS). */
export const DEFAULT_REPORT_CACHE: ReportCacheOptions = { maxEntries: 500, ttlMs: 300_000 };

/** The closed months and how often each was revised, in every system: a cached answer is good while this stands. */
export type RevisionMark = () => Promise<string | null>;

interface Entry {
  mark: string;
  result: GraphQLResponse['body'] & { kind: 'single' };
}

/** Whether an operation reads only the report's frozen figures, each `report` with its `published`. */
function frozenOnly(document: DocumentNode, operation: OperationDefinitionNode): boolean {
  if (operation.operation !== 'query') return false;
  const roots = operation.selectionSet.selections;
  if (!roots.every((s) => s.kind === Kind.FIELD && s.name.value === 'report' && s.selectionSet?.selections.some((f) => f.kind === Kind.FIELD && f.name.value === 'published' && !f.alias))) {
    return false;
  }
  let frozen = true;
  for (const node of [operation, ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)]) {
    visit(node, { Field: (field) => void (LIVE_FIELDS.has(field.name.value) && (frozen = false)) });
  }
  return frozen;
}

/** Who may share an answer: the report's access rules and masking go by role and, for an officer, department. */
const audienceOf = (who: Identity) => `${who.role}\u0000${who.role === 'DEPARTMENT_OFFICER' ? who.department ?? '' : ''}`;

const published = (data: Record<string, unknown> | null | undefined) =>
  !!data && Object.values(data).every((r) => !!r && (r as { published?: unknown }).published === true);

/**
 * Reports over closed months, answered from memory: a closed month's figures are frozen, so an operation that reads
 * only those (no reconciliation, narrative or per-procedure and per-officer figures) and was answered `published`
 * gets the same answer again, to the same role (and an officer's department), until a system revises one of the
 * closed months (the revision mark changes) or the entry's time is up. Every hit asks the register for the mark,
 * one small call instead of the report's three hops; the mark is read before a miss runs, so an answer is never
 * kept under a mark newer than itself. Per replica: losing it costs only time.
 */
export function reportCache<C extends { identity: Identity }>(
  options: ReportCacheOptions,
  mark: RevisionMark,
  counter: Counter<'result'>,
): ApolloServerPlugin<C> {
  const entries = new LRUCache<string, Entry>({ max: options.maxEntries, ttl: options.ttlMs });
  const eligible = new LRUCache<string, boolean>({ max: 1000 });
  return {
    async requestDidStart() {
      let key: string | null = null;
      let markBefore: string | null = null;
      let served = false;
      return {
        async responseForOperation(rc: GraphQLRequestContext<C>) {
          const { document, operation, source } = rc as GraphQLRequestContext<C> & { document: DocumentNode; operation: OperationDefinitionNode; source: string };
          const text = source ?? '';
          let frozen = eligible.get(text);
          if (frozen === undefined) eligible.set(text, (frozen = frozenOnly(document, operation)));
          if (!frozen) return null;
          markBefore = await mark();
          if (markBefore === null) {
            counter.inc({ result: 'skip' });
            return null;
          }
          key = createHash('sha256')
            .update(`${audienceOf(rc.contextValue.identity)}\u0000${rc.operationName ?? ''}\u0000${text}\u0000${JSON.stringify(rc.request.variables ?? {})}`)
            .digest('base64url');
          const hit = entries.get(key);
          if (hit?.mark === markBefore) {
            counter.inc({ result: 'hit' });
            served = true;
            return { http: rc.response.http, body: structuredClone(hit.result) };
          }
          counter.inc({ result: hit ? 'revised' : 'miss' });
          return null;
        },
        async willSendResponse({ response }) {
          if (!key || served || markBefore === null || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (result.errors?.length || !published(result.data)) return;
          entries.set(key, { mark: markBefore, result: structuredClone({ kind: 'single', singleResult: result }) });
        },
      };
    },
  };
}
