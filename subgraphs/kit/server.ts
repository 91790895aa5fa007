process.env.APOLLO_TELEMETRY_DISABLED = '1';
import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { AuditLog } from './audit/audit-log';
import { AUDIT_CHECKPOINT, checkpointTimer, receiveCheckpoint } from './audit/audit-checkpoint';
import { shipAccesses, shippingTimer } from './audit/access-shipping';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express from 'express';
import type { KeyObject } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { closePrepared, createDataSource, inBackground, openDatabase, pendingMigrations, poolsOf, StatementCounter } from './data-source';
import { Lifecycle, Listenable, listenable, logErrors, maskErrors, probeRoutes, within } from './http';
import type { Registry } from 'prom-client';
import { accessPlugin, accessRecord, AccessRecord, observed } from './telemetry/access';
import { graphqlMetrics, metricsHandler, subgraphStateMetrics } from './telemetry/metrics';
import { graphqlRoute, withGraphQLAt } from './graphql-route';
import { verifyRequest } from './signing';
import { createReplayGuard } from './replay/replay-guard';
import { databaseOutageError, isDatabaseOutage } from './database-outage';
import { outboxState } from './messaging/outbox-state';
import { DEFAULT_HANDOVER, DEV_AUDIT_KEY, HandoverConfig } from './config';
import { createLogger, Logger } from './logger';
import { buildModuleSchema } from './schema';
import { databaseOf, RequestContext, SubgraphModule } from './subgraph';
import { handoverRoute } from './messaging/handover';
import { SENDERS } from './messaging/senders';
import { queueHandlers } from './messaging/queue/revive';
import { noteEnqueued, OutboxDispatcher, Peers } from './messaging/outbox';
import { DEPARTMENT_SYSTEMS, SUBGRAPHS } from '../registry';
import { periodHandlers } from './periods/period.handlers';
import { tracingPlugin } from './telemetry/tracing';
import { followCalendar } from './calendar/calendar.follower';
import { WorkingCalendar } from './calendar/working-time';
import type { SubgraphServerTls } from './tls/tls.config';
import { mtlsServerOptions } from './tls/mtls.server';

export interface SubgraphServer extends Listenable {
  name: string;
  db: DataSource;
  /** SQL statements sent since the last reset. */
  statements: StatementCounter;
  /** GraphQL requests accepted (signed and valid) and refused. */
  requests: { accepted: number; refused: number };
  outbox: OutboxDispatcher;
  /** Ships what the audit logged since the last time to the register, for the citizens' view; returns accesses shipped. */
  shipAccesses(): Promise<number>;
  /** This subgraph's metrics, served at /metrics on the public port unless the process serves them apart. */
  registry: Registry;
  /** The working-day calendar this server loaded from its database and follows (the process's `calendar` too). */
  calendar: WorkingCalendar;
}

/** The refusals of a mutation that are audited (after its transaction rolled back: nothing changed). */
const REFUSALS = new Set(['FORBIDDEN', 'CONFLICT', 'BAD_USER_INPUT', 'NOT_FOUND']);

/**
 * No personal data leaves unless its access is in the audit trail: if the audit write fails, the request fails.
 * Each root mutation field is named in what it audits, and its refusal is audited too.
 */
function auditBeforeResponse(db: DataSource, log: Logger): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async executionDidStart({ operation }) {
          if (operation.operation !== 'mutation') return;
          return {
            willResolveField({ info, args, contextValue }) {
              if (info.parentType.name !== 'Mutation') return;
              contextValue.audit.action = info.fieldName;
              return (error) => {
                const code = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
                if (typeof code !== 'string' || !REFUSALS.has(code)) return;
                const target = args.dossierCode ?? args.trackingNumber ?? args.code;
                contextValue.audit.action = info.fieldName;
                contextValue.audit.refuse(typeof target === 'string' ? target.slice(0, 40) : '', code);
              };
            },
          };
        },
        async willSendResponse({ contextValue, response }) {
          try {
            await contextValue.audit?.flush(db);
          } catch (e) {
            log.error({ requestId: contextValue.requestId, sqlState: (e as { code?: string }).code }, 'audit write failed; response withheld');
            if (response.body.kind === 'single') {
              response.body.singleResult.data = null;
              response.body.singleResult.errors = [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }];
            }
            response.http.status = 500;
          }
        },
      };
    },
  };
}

/** Opens (and migrates) the subgraph's own database and builds its HTTP app; does not listen. */
export async function createSubgraphServer(
  m: SubgraphModule,
  options: {
    databaseUrl: string;
    signingSecret: string;
    /** The public key of each system that may hand over to this one (none for itself or an unknown name). */
    handoverPublicKeyOf: (sender: string) => KeyObject | undefined;
    peers: Peers;
    log?: Logger;
    /** Apply pending migrations first (default); in production `npm run migrate` does, and readiness waits for it. */
    migrate?: boolean;
    /** false when the process serves /metrics on a port of its own. */
    metricsOnPublicPort?: boolean;
    /** The process's own metrics (event loop, memory, GC): asked by the entry point only. */
    processMetrics?: boolean;
    /** How the outbox delivers; DEFAULT_HANDOVER where not given. */
    handover?: Partial<HandoverConfig>;
    /** Where the replicas share replay nonces; in the subgraph's own database when absent. */
    redisUrl?: string;
    /** The audit chain's HMAC key (config.auditKey); the development key when absent. */
    auditKey?: string;
    /**
     * How often the audit chain's head is checkpointed in another system's database; never when absent (tests
     * counting outbox messages); the subgraph process (serve.ts) asks AUDIT_CHECKPOINT_MS.
     */
    auditCheckpointMs?: number;
    /** How often the audit's accesses are shipped to the register (myDataAccesses); never when absent (tests ship by hand). */
    accessShippingMs?: number;
    /** How often the calendar is reloaded without a notification; CALENDAR_RELOAD_MS when absent. */
    calendarReloadMs?: number;
    /** HTTPS refusing callers without a client certificate of its CA (a department hosted elsewhere); http when absent. */
    tls?: SubgraphServerTls;
  },
): Promise<SubgraphServer> {
  const log = options.log ?? createLogger(m.name);
  const statements = new StatementCounter();
  const db = await openDatabase(
    createDataSource({ url: options.databaseUrl, ...databaseOf(m), counter: statements, log }),
    options.databaseUrl,
    { migrate: options.migrate },
  );
  const workingCalendar = new WorkingCalendar();
  // Before the server can listen: no request counts working time on the national calendar alone.
  const stopCalendar = m.countsWorkingTime ? await followCalendar(db, workingCalendar, log, options.calendarReloadMs) : async () => {};
  const metrics = graphqlMetrics(m.name, { processMetrics: options.processMetrics });
  subgraphStateMetrics(metrics.registry, {
    destinations: SUBGRAPHS.map((s) => s.name).filter((n) => n !== m.name),
    outbox: () => outboxState(db),
    pools: () => poolsOf(db),
  });
  const departmentCode = SUBGRAPHS.find((s) => s.name === m.name)?.departmentCode;
  const apollo = new ApolloServer<RequestContext>({
    schema: await buildModuleSchema(m),
    formatError: (formatted, error) => (isDatabaseOutage(error) ? databaseOutageError(formatted, m.name, departmentCode) : maskErrors(formatted)),
    includeStacktraceInErrorResponses: false,
    // The process drains on SIGTERM itself (service.ts); Apollo's own handler would stop it at once, failing what comes.
    stopOnTerminationSignals: false,
    csrfPrevention: true,
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled(), ApolloServerPluginInlineTraceDisabled(), logErrors(log), auditBeforeResponse(db, log), accessPlugin(), tracingPlugin()],
  });
  await apollo.start();

  const outbox = new OutboxDispatcher(m.name, db, options.peers, log, { ...DEFAULT_HANDOVER, ...options.handover });
  const nonces = createReplayGuard({ db, redisUrl: options.redisUrl, log });
  const app = express();
  app.disable('x-powered-by');
  const auditKey = options.auditKey ?? DEV_AUDIT_KEY;
  const ownHandlers = m.handlers ?? {};
  handoverRoute(app, {
    publicKeyOf: (source) => (source !== m.name && SUBGRAPHS.some((s) => s.name === source) ? options.handoverPublicKeyOf(source) : undefined),
    senders: SENDERS,
    db,
    handlers: {
      ...queueHandlers(log),
      [AUDIT_CHECKPOINT]: receiveCheckpoint,
      ...ownHandlers,
      ...(DEPARTMENT_SYSTEMS.some((s) => s.name === m.name) ? periodHandlers(m.name, ownHandlers, auditKey) : {}),
    },
    log,
    afterApply: () => outbox.kick(),
    nonces,
  });
  const stopCheckpoints = !options.auditCheckpointMs ? () => {} : checkpointTimer(db, m.name, options.auditCheckpointMs,
    () => outbox.kick(), (e) => log.error({ sqlState: (e as { code?: string }).code }, 'audit checkpoint failed'));
  const stopShipping = !options.accessShippingMs ? () => {} : shippingTimer(db, m.name, options.accessShippingMs,
    () => outbox.kick(), (e) => log.error({ sqlState: (e as { code?: string }).code }, 'shipping the audit\'s accesses failed'));
  const lifecycle: Lifecycle = { draining: false };
  let migrated = false;
  probeRoutes(app, m.name, lifecycle, () =>
    within(
      2_000,
      (async () => {
        // The gateway probes every 3 s: not a statement of any request.
        await inBackground(db, (q) => q('SELECT 1'));
        if (!migrated) {
          const pending = await pendingMigrations(db);
          if (pending.length) return `${pending.length} migration(s) not applied: run npm run migrate`;
          migrated = true;
        }
        return null;
      })().catch(() => 'database unavailable'),
      'database did not answer within 2 s',
    ),
  );
  if (options.metricsOnPublicPort ?? true) app.get('/metrics', metricsHandler(metrics.registry));
  const requests = { accepted: 0, refused: 0 };
  const graphql = graphqlRoute<RequestContext>(apollo, {
    service: m.name,
    maxBytes: 2 * 1024 * 1024,
    admit: async (req, raw) => {
      const verdict = await verifyRequest(options.signingSecret, { method: req.method!, path: req.url!, body: raw, headers: req.headers }, nonces);
      if (!verdict.ok && verdict.unavailable) {
        // Said once per outage by the replay guard; a 503 is what the gateway's retries and circuit breaker act on.
        requests.refused++;
        return { ok: false, status: 503, code: 'UNAVAILABLE', message: 'the service cannot take calls at the moment' };
      }
      if (!verdict.ok) {
        requests.refused++;
        log.warn({ reason: verdict.reason }, 'refused a call not signed by the gateway');
        return { ok: false, status: 403, code: 'FORBIDDEN', message: 'access denied: only signed calls from the gateway are served' };
      }
      let body: unknown;
      try {
        body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
      } catch {
        return { ok: false, status: 400, code: 'BAD_REQUEST', message: 'the body is not JSON' };
      }
      requests.accepted++;
      const { identity, requestId } = verdict;
      const access: AccessRecord = accessRecord(req);
      access.requestId = requestId;
      const enqueued: string[] = [];
      return {
        ok: true,
        body,
        around: (execute) => noteEnqueued(enqueued, execute),
        context: async () =>
          withLazyLog(() => log.child({ requestId }), {
            requestId,
            identity,
            access,
            audit: new AuditLog(identity, requestId, auditKey),
            dispatch: () => outbox.deliverSoon(enqueued),
            db,
            loaders: m.createLoaders(db, requestId),
          }),
      };
    },
  });

  return {
    name: m.name,
    db,
    statements,
    requests,
    outbox,
    async shipAccesses() {
      const n = await shipAccesses(db, m.name);
      if (n) outbox.kick();
      return n;
    },
    registry: metrics.registry,
    calendar: workingCalendar,
    ...listenable(observed(withGraphQLAt('/graphql', graphql, app), { log, metrics }), async () => {
      try {
        stopCheckpoints();
        stopShipping();
        await stopCalendar();
        await outbox.stop();
        await apollo.stop();
        await nonces.close();
      } finally {
        await closePrepared(db);
        if (db.isInitialized) await db.destroy();
      }
    }, lifecycle, options.tls && mtlsServerOptions(options.tls)),
  };
}

/**
 * `fields` with a `log` made when first used (mostly on errors: a pino child costs more than the rest of a context).
 * The getter sits on the prototype: Apollo copies each operation's context with Object.assign onto an object of the
 * same prototype, which would call an own getter, making the child for every request.
 */
function withLazyLog<T extends object>(make: () => Logger, fields: T): T & { log: Logger } {
  let child: Logger | undefined;
  const lazy = {
    get log() {
      return (child ??= make());
    },
  };
  return Object.assign(Object.create(lazy) as { log: Logger }, fields);
}
