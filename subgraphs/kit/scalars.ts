import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { VN_OFFSET_MS } from './calendar/working-time';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

/** Instants are written in Vietnam's own offset, the way the centre reads them: 2020-04-09T10:00:00+07:00. */
export function formatVietnamTime(at: Date): string {
  return new Date(at.getTime() + VN_OFFSET_MS).toISOString().replace(/\.000Z$|Z$/, '') + '+07:00';
}

function parse(value: unknown): Date {
  if (typeof value !== 'string' || !RFC3339.test(value)) {
    throw new GraphQLError('DateTime must be an RFC 3339 date-time with an offset, e.g. 2020-04-01T10:00:00+07:00', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) {
    throw new GraphQLError('DateTime is not a valid date', { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return at;
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant, RFC 3339 with offset; written in Asia/Ho_Chi_Minh time (+07:00).',
  specifiedByURL: 'https://datatracker.ietf.org/doc/html/rfc3339',
  serialize(value) {
    const at = value instanceof Date ? value : new Date(value as string);
    if (Number.isNaN(at.getTime())) throw new GraphQLError('DateTime cannot represent an invalid date');
    return formatVietnamTime(at);
  },
  parseValue: parse,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) {
      throw new GraphQLError('DateTime must be a string', { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return parse(ast.value);
  },
});
