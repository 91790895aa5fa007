import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
} from '@opentelemetry/semantic-conventions';
import { Client } from 'pg';
import { activeTracer } from './tracing';

/**
 * String, dollar-quoted and numeric literals become `?`, comments go: the text a span may carry even if some
 * statement were written with a value in it instead of a parameter. Identifiers ("quoted" or not) and
 * parameters ($1) stay.
 */
const LITERALS = /("(?:[^"]|"")*")|(\$\d+)|--[^\n]*|\/\*[\s\S]*?\*\/|(?<!\w)[eE]'(?:[^'\\]|\\.|'')*'|'(?:[^']|'')*'|\$([A-Za-z_]\w*)?\$[\s\S]*?\$\3\$|(?<![\w$.])\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b/g;

export function withoutLiterals(sql: string): string {
  return sql.replace(LITERALS, (match, identifier?: string, parameter?: string) =>
    identifier ?? parameter ?? (match.startsWith('-') || match.startsWith('/') ? '' : '?'),
  );
}

// A subgraph sends the same few hundred statement texts over and over.
const summaries = new Map<string, { text: string; operation: string }>();
const SUMMARIES_MAX = 1000;

function summary(sql: string): { text: string; operation: string } {
  let s = summaries.get(sql);
  if (!s) {
    const text = withoutLiterals(sql);
    s = { text, operation: (/^\s*([A-Za-z]+)/.exec(text)?.[1] ?? 'SQL').toUpperCase() };
    if (summaries.size >= SUMMARIES_MAX) summaries.clear();
    summaries.set(sql, s);
  }
  return s;
}

/**
 * Runs one statement in a client span under the active span, only while that span is open: the outbox's
 * polling starts no trace of its own, and a timer that inherited a finished request's context does not keep
 * adding to its trace. The span has the database, the operation and the text without literals; never the
 * parameters.
 */
export function tracedStatement<T>(database: string, sql: string, run: () => Promise<T>): Promise<T> {
  const tracer = activeTracer();
  if (!tracer || !trace.getSpan(context.active())?.isRecording()) return run();
  const { text, operation } = summary(sql);
  const span = tracer.startSpan(`${operation} ${database}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
      [ATTR_DB_NAMESPACE]: database,
      [ATTR_DB_OPERATION_NAME]: operation,
      [ATTR_DB_QUERY_TEXT]: text,
      // The names instrumentation-pg still writes by default, which most backends read today.
      'db.system': DB_SYSTEM_NAME_VALUE_POSTGRESQL,
      'db.name': database,
      'db.operation': operation,
    },
  });
  return run().then(
    (result) => {
      span.end();
      return result;
    },
    (e: unknown) => {
      const sqlState = (e as { code?: unknown })?.code;
      if (typeof sqlState === 'string') span.setAttributes({ [ATTR_DB_RESPONSE_STATUS_CODE]: sqlState, [ATTR_ERROR_TYPE]: sqlState });
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      throw e;
    },
  );
}

/**
 * The pg client TypeORM's pool makes (`extra.Client`): each statement sent as a promise (how TypeORM sends
 * them) runs in `tracedStatement`; callbacks and streams pass through untouched.
 */
export class TracedClient extends Client {
  override query(...args: any[]): any {
    const first = args[0];
    const sql: unknown = typeof first === 'string' ? first : first?.text;
    if (typeof sql !== 'string' || typeof first?.submit === 'function' || typeof args[args.length - 1] === 'function') {
      return (Client.prototype.query as (...a: any[]) => any).apply(this, args);
    }
    return tracedStatement(this.database ?? '', sql, () => (Client.prototype.query as (...a: any[]) => Promise<unknown>).apply(this, args));
  }
}
