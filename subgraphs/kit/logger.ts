import pino, { Logger } from 'pino';

/**
 * Personal data never reaches a log line: any field that could carry it is censored, wherever it nests.
 */
const PERSONAL = ['applicant', 'idNumber', 'phone', 'address', 'fullName', 'recipientName', 'variables', 'authorization', 'cookie'];

export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    base: { service: name },
    redact: { paths: PERSONAL.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]), censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
