import { GraphQLError } from 'graphql';

export type ErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'FORBIDDEN' | 'CONFLICT' | 'UNAVAILABLE' | 'RATE_LIMITED' | 'CALENDAR_MISSING';

const coded = (code: ErrorCode) => (message: string, extensions: Record<string, unknown> = {}) =>
  new GraphQLError(message, { extensions: { ...extensions, code } });

export const badUserInput = coded('BAD_USER_INPUT');
export const notFound = coded('NOT_FOUND');
export const forbidden = coded('FORBIDDEN');
export const conflict = coded('CONFLICT');
/** Data another system must supply did not arrive: what depends on it is withheld, not guessed. */
export const unavailable = coded('UNAVAILABLE');
/** A date in a year the working-day calendar does not cover (neither decided nor within the rule's horizon). */
export const calendarMissing = coded('CALENDAR_MISSING');

/** Codes whose message was written for the client; anything else is masked. */
export const CLIENT_CODES = new Set<string>([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'FORBIDDEN',
  'CONFLICT',
  'UNAVAILABLE',
  'RATE_LIMITED',
  'CALENDAR_MISSING',
  'UNAUTHENTICATED',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);
