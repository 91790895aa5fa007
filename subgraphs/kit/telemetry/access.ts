import type { IncomingMessage } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { CLIENT_CODES } from '../errors';
import type { RequestHandler } from '../graphql-route';
import type { Logger } from '../logger';
import type { GraphQLMetrics, OperationType, Outcome } from './metrics';

/** What one request did, filled as it goes: by the route (request id), the plugin (operation), the gateway's fetches. */
export interface AccessRecord {
  requestId?: string;
  operationName?: string;
  operationType: OperationType;
  subgraphs: Set<string>;
  errorCodes: Set<string>;
}

const records = new WeakMap<IncomingMessage, AccessRecord>();

export function accessRecord(req: IncomingMessage): AccessRecord {
  let record = records.get(req);
  if (!record) {
    record = { operationType: 'unknown', subgraphs: new Set(), errorCodes: new Set() };
    records.set(req, record);
  }
  return record;
}

/** Probes and scrapes come every few seconds from machines: counted nowhere, logged only at debug. */
const MACHINE_PATHS = new Set(['/healthcheck', '/health', '/readiness', '/metrics', '/health/subgraphs']);
/** The paths a line may name; any other is logged as "other": a path is the client's text and may carry anything. */
const KNOWN_PATHS = new Set([...MACHINE_PATHS, '/graphql', '/handover', '/reports/monthly.csv', '/reports/monthly.xlsx']);

/**
 * UNAVAILABLE is written for the client, but it is the service failing, not the client: counted as an error, so the
 * alert on errors fires while a system is down.
 */
const FAILURES = new Set(['UNAVAILABLE']);

export function outcomeOf(status: number, codes: Set<string>): Outcome {
  if (status >= 500 || [...codes].some((c) => FAILURES.has(c) || !CLIENT_CODES.has(c))) return 'error';
  if (status >= 400 || codes.size > 0) return 'refused';
  return 'ok';
}

/**
 * One JSON line per request once its answer is sent, and the request metrics. Nothing the client wrote reaches
 * the line but the operation name (a GraphQL Name, cut to 64 characters): no variables, no query text, no headers.
 */
export function observed(handler: RequestHandler, o: { log: Logger; metrics: GraphQLMetrics }): RequestHandler {
  return (req, res) => {
    const started = process.hrtime.bigint();
    const asked = (req.url ?? '/').split('?')[0].toLowerCase().replace(/(.)\/$/, '$1');
    const path = KNOWN_PATHS.has(asked) ? asked : 'other';
    // Refusals before Apollo (too large, unreadable, unsigned) are GraphQL requests too: counted, as 'unknown'.
    if (path === '/graphql') accessRecord(req);
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const record = records.get(req);
      const status = res.writableFinished ? res.statusCode : 499;
      const entry = {
        requestId: record?.requestId ?? (res.getHeader('x-request-id') as string | undefined),
        method: req.method,
        path,
        status,
        ms: Math.round(seconds * 10_000) / 10,
        ...(record && {
          operationName: record.operationName,
          operationType: record.operationType,
          subgraphs: [...record.subgraphs],
          errorCodes: [...record.errorCodes],
        }),
      };
      if (MACHINE_PATHS.has(path)) {
        o.log.debug(entry, 'access');
        return;
      }
      o.log.info(entry, 'access');
      if (!record) return;
      o.metrics.requests.inc({ operation_type: record.operationType, outcome: outcomeOf(status, record.errorCodes) });
      o.metrics.duration.observe({ operation_type: record.operationType }, seconds);
    });
    handler(req, res);
  };
}

/** Names the operation and collects the codes of the errors it answers with, into the request's access record. */
export function accessPlugin<C extends { access?: AccessRecord }>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart({ contextValue }) {
      const record = contextValue.access;
      if (!record) return {};
      return {
        async didResolveOperation({ operation, operationName }) {
          if (!operation) return;
          record.operationType = operation.operation;
          const name = operationName ?? operation.name?.value;
          if (name) record.operationName = name.slice(0, 64);
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          for (const e of response.body.singleResult.errors ?? []) record.errorCodes.add(String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
        },
      };
    },
  };
}
