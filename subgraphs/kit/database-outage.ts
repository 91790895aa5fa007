import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';

// SQLSTATE classes of a database that went away or cannot take a statement now — connection exception (08),
// admin/crash shutdown and cannot connect now (57P01-57P03), too many connections (53300) — and the socket errors
// of a server that is not there: not a statement gone wrong.
const OUTAGE_STATES = /^(08...|57P0[123]|53300)$/;
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);
// pg and pg-pool give these without a code.
const OUTAGE_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/** Whether an error is the database being unavailable (a retry may well succeed), not the statement failing. */
export function isDatabaseOutage(error: unknown): boolean {
  const original = unwrapResolverError(error) as { code?: unknown; message?: unknown; driverError?: { code?: unknown } } | undefined;
  if (!original || typeof original !== 'object') return false;
  const code = String(original.code ?? original.driverError?.code ?? '');
  return OUTAGE_STATES.test(code) || SOCKET_CODES.has(code) || OUTAGE_MESSAGES.test(String(original.message ?? ''));
}

/** What a client sees when a subgraph's own database does not answer: the same code as a system that does not. */
export function databaseOutageError(formatted: GraphQLFormattedError, subgraph: string, departmentCode?: string): GraphQLFormattedError {
  return {
    message: `the ${subgraph} system cannot reach its database; try again later (a mutation with the same idempotencyKey)`,
    path: formatted.path,
    locations: formatted.locations,
    extensions: { code: 'UNAVAILABLE', subgraph, ...(departmentCode ? { departmentCode } : {}) },
  };
}
