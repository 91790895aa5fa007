import pino, { Logger } from 'pino';

/**
 * Personal data never reaches a log line: any field that could carry it is censored, wherever it nests.
 */
const PERSONAL = ['applicant', 'idNumber', 'phone', 'address', 'fullName', 'recipientName', 'variables', 'authorization', 'cookie'];

export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name,
    level,
    base: { service: name },
    redact: { paths: PERSONAL.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]), censor: '[redacted]' },
  });
}

export type { Logger };
