/**
 * What Hive Gateway (@graphql-hive/gateway-runtime, `createGatewayRuntime` or `defineConfig`) needs, beside the
 * signing in `onFetch`, to serve this graph without handing one caller's answer to another.
 *
 * Hive merges identical queries in flight to the same subgraph, keyed on URL, method and body. The identity is
 * signed into the headers in `onFetch`, after that key is taken, so officers of one department would get the
 * answer fetched for centre staff. Every subgraph answers per caller, so nothing may be merged: both dedupes off.
 */
export const HIVE_GATEWAY_OPTIONS = {
  transportEntries: { '*': { options: { deduplicateInflightRequests: false } } },
  inboundInflightRequestDeduplication: false,
} as const;
