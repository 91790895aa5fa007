import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { localTime } from '../calendar/working-time';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseDate(value: unknown): string {
  const ok = typeof value === 'string' && DATE.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
  if (!ok) throw new GraphQLError('Date must be a calendar date YYYY-MM-DD', { extensions: { code: 'BAD_USER_INPUT' } });
  return value as string;
}

/** A calendar day in Vietnam, YYYY-MM-DD. */
export const LocalDateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date, YYYY-MM-DD, in Asia/Ho_Chi_Minh.',
  serialize: (v) => parseDate(v),
  parseValue: parseDate,
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : null),
});

export interface Period {
  from: string;
  to: string;
  /** 00:00 of `from` and 23:59:59.999 of `to`, Vietnam time. */
  start: Date;
  end: Date;
}

export function period(from: string, to: string): Period {
  if (from > to) throw new GraphQLError('from is after to', { extensions: { code: 'BAD_USER_INPUT', field: 'from' } });
  const start = localTime(from);
  const end = new Date(localTime(to).getTime() + 86_400_000 - 1);
  if (end.getTime() - start.getTime() > 3700 * 86_400_000) {
    throw new GraphQLError('a report covers at most ten years', { extensions: { code: 'BAD_USER_INPUT', field: 'to' } });
  }
  return { from, to, start, end };
}

/** YYYY-MM-DD naming a day that exists (not 2020-04-31). */
const isCalendarDate = (s: string | undefined): s is string => !!s && DATE.test(s) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;

/** A department report's key: department, from and to. */
export const reportId = (departmentCode: string, from: string, to: string) => `${departmentCode}|${from}|${to}`;

export function parseReportId(id: string): { departmentCode: string; from: string; to: string } | null {
  const [departmentCode, from, to] = id.split('|');
  if (!departmentCode || !isCalendarDate(from) || !isCalendarDate(to)) return null;
  return { departmentCode, from, to };
}

/** Percent with two decimals, rounded half up, from integers (no floating-point drift): 1762/1766 → 99.77. */
export function percent(part: number, whole: number): number | null {
  if (whole === 0) return null;
  return Math.floor((2 * part * 10000 + whole) / (2 * whole)) / 100;
}
