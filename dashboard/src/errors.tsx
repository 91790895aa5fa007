import type { GraphError } from './graphql';
import type { Messages } from './i18n';

/** An error as a person understands it: which department is missing, what the role may see, what to do. */
export function explain(t: Messages, error: GraphError, role: string | null, departmentName: (code: string) => string): string {
  const code = error.extensions?.code;
  switch (code) {
    case 'UNAVAILABLE': {
      const department = error.extensions?.departmentCode;
      return t.errUnavailable(department ? `${departmentName(department)} (${department})` : t.aDepartment);
    }
    case 'FORBIDDEN':
      return t.errForbidden(role ?? '—');
    case 'UNAUTHENTICATED':
      return t.errSignIn;
    case 'BAD_USER_INPUT':
    case 'GRAPHQL_VALIDATION_FAILED':
    case 'CALENDAR_MISSING':
      return `${t.errInput} ${error.message}`;
    case 'NOT_FOUND':
      return t.errNotFound;
    case 'NETWORK':
      return t.errNetwork;
    case 'RATE_LIMITED':
      return t.errRateLimited;
    default:
      return `${t.errOther} ${error.extensions?.requestId ?? '—'}`;
  }
}

/** One line per distinct explanation: a report withheld by one department errs on several fields. */
export function Problems(props: { t: Messages; errors: GraphError[]; role: string | null; departmentName: (code: string) => string }) {
  // A field withheld for want of a department (the report's totals) says no more than the error naming it.
  const named = props.errors.some((e) => e.extensions?.code === 'UNAVAILABLE' && e.extensions.departmentCode);
  const errors = named ? props.errors.filter((e) => e.extensions?.code !== 'UNAVAILABLE' || e.extensions.departmentCode) : props.errors;
  const lines = [...new Set(errors.map((e) => explain(props.t, e, props.role, props.departmentName)))];
  if (!lines.length) return null;
  return (
    <div class="problems" role="alert">
      {lines.map((line) => <p key={line}>{line}</p>)}
    </div>
  );
}
