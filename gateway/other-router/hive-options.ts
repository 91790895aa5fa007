import { createHash } from 'node:crypto';

/** The header that carries the caller into Hive's outbound dedupe key; subgraphs ignore it. */
export const CALLER_KEY_HEADER = 'x-motcua-caller';

/** One caller's credentials, as a digest: the token itself never travels past the router. */
export function callerKey(authorization: string | null | undefined): string {
  return createHash('sha256').update(authorization ?? '').digest('base64url');
}

/**
 * What Hive Gateway (@graphql-hive/gateway-runtime, `createGatewayRuntime` or `defineConfig`, with or without the
 * Rust planner) needs, beside the signing in `onFetch`, to merge identical requests in flight without handing one
 * caller's answer to another.
 *
 * Hive keys its outbound dedupe on URL, method and body, and adds the headers only when a plugin set some before
 * the fetch: the identity is signed in later, in `onFetch`, so unkeyed, officers of one department would get the
 * answer fetched for centre staff. Propagating a digest of the caller's Authorization puts the caller in the key.
 * The inbound dedupe keys on every request header, the Authorization among them, so it is safe as it stands.
 */
export const HIVE_GATEWAY_OPTIONS = {
  transportEntries: { '*': { options: { deduplicateInflightRequests: true } } },
  inboundInflightRequestDeduplication: true,
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }: { request: Request }) => ({ [CALLER_KEY_HEADER]: callerKey(request.headers.get('authorization')) }),
  },
} as const;
