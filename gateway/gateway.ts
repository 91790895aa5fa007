import { clientAddress as addressOf, trustedProxies } from './http/client-address';
import { withCors } from './http/cors';
import { graphiqlInstalled, withGraphiQL } from './http/graphiql';
import { dashboardRoutes } from './dashboard/dashboard.route';
import { admitDocument, TrustedDocuments } from './trusted-documents/trusted-documents';
import { identityKey, requestDedupe } from './inflight/request-dedupe.plugin';
import { DEFAULT_REPORT_CACHE, reportCache, ReportCacheOptions } from './report-cache/report-cache.plugin';
import { fieldUsage } from './usage/field-usage.plugin';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
process.env.APOLLO_TELEMETRY_DISABLED = '1';
import { ApolloGateway, GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { Pool } from 'undici';
import { GraphQLError } from 'graphql';
import { CLIENT_CODES } from '../subgraphs/kit/errors';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express from 'express';
import { Lifecycle, Listenable, listenable, logErrors, maskErrors, probeRoutes, requestIdOf } from '../subgraphs/kit/http';
import type { Registry } from 'prom-client';
import { accessPlugin, accessRecord, AccessRecord, observed, outcomeOf } from '../subgraphs/kit/telemetry/access';
import { graphqlMetrics, metricsHandler, subgraphCallMetrics } from '../subgraphs/kit/telemetry/metrics';
import { SubgraphHealth } from './health/subgraph-health';
import { subgraphConnect } from './http/subgraph-tls';
import type { SubgraphClientTls } from '../subgraphs/kit/tls/tls.config';
import { createLogger, Logger } from '../subgraphs/kit/logger';
import { graphqlRoute, jsonBody, withGraphQLAt } from '../subgraphs/kit/graphql-route';
import { SCHEMA_DIR } from '../subgraphs/kit/paths';
import type { AuthConfig, DashboardConfig } from '../subgraphs/kit/config';
import { ANONYMOUS, Identity } from '../subgraphs/kit/identity';
import { signRequest } from '../subgraphs/kit/signing';
import { createAuthenticator } from './auth';
import { armor } from './limits';
import { exportRoutes } from './exports';
import { nationalSyncRoutes } from './national-sync';
import { tracedFetch, tracingPlugin } from '../subgraphs/kit/telemetry/tracing';
import { supergraphSource } from './supergraph/supergraph.source';
import { DASHBOARD_CLIENT, DEFAULT_RESILIENCE, ResilienceConfig, SupergraphConfig } from '../subgraphs/kit/config';
import { createRateLimiter, type RateLimits } from './rate-limit/rate-limiter';
import { receiptLimit } from './rate-limit/receipt-limit.plugin';
import { OperationKind, RequestDeadline } from './resilience/deadline';
import { SubgraphCallFailed, SubgraphCallPolicy } from './resilience/subgraph-call.policy';
import { kindOf, operationOf, System, unavailableAnswer } from './resilience/unavailable';
import { SUBGRAPHS } from '../subgraphs/registry';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from '../subgraphs/kit/graphql-route';

export interface GatewayContext {
  requestId: string;
  identity: Identity;
  /** Where the call comes from: anonymous callers are counted by it. */
  clientAddress?: string;
  access?: AccessRecord;
  /** From the request's arrival; a context made elsewhere (the report exports) gets one at its first call. */
  deadline?: RequestDeadline;
  /** The data of the root fetches answered so far: where an unanswered entity fetch's errors belong. */
  rootData?: object[];
}

export interface GatewayOptions {
  /** Where each subgraph listens, by registry name; overrides the URLs written in the supergraph. */
  subgraphUrls: Record<string, string>;
  /** The secret shared with each subgraph, by registry name. */
  signingSecrets: Record<string, string>;
  /** The subgraphs reached over mutual TLS, by registry name: in addition to the signature, not instead of it. */
  subgraphTls?: Record<string, SubgraphClientTls>;
  auth: AuthConfig;
  production?: boolean;
  /** A fixed supergraph (tests); otherwise from `supergraph`, reloaded when it changes. */
  supergraphSdl?: string;
  supergraph?: SupergraphConfig;
  /** Timeouts, retries and circuit breakers of the calls to subgraphs; DEFAULT_RESILIENCE where not given. */
  resilience?: Partial<ResilienceConfig>;
  /** Requests a minute per caller; 0 or absent: no limit. */
  rateLimitPerMinute?: number;
  /** Automatic persisted queries; off when absent: known clients send persisted documents instead. */
  persistedQueries?: boolean;
  /** Per role and for the receipt lookup; absent: none. */
  rateLimits?: Omit<RateLimits, 'perMinute'>;
  /** The proxies (addresses, CIDR blocks) in front of the gateway whose X-Forwarded-For names the client. */
  trustedProxies?: string[];
  /** Browser origins allowed by CORS (none: no CORS header is sent). */
  corsOrigins?: string[];
  /** Persisted documents of known clients, and the clients that may send nothing else; none when absent. */
  trustedDocuments?: TrustedDocuments;
  /** Where the replicas keep shared counters (rate limits); in this process when absent. */
  redisUrl?: string;
  log?: Logger;
  /** false when the process serves /metrics on a port of its own. */
  metricsOnPublicPort?: boolean;
  /** The dashboard's sign-in; a pasted token outside production when left out. */
  dashboard?: DashboardConfig;
  /** The process's own metrics (event loop, memory, GC): asked by the entry point only. */
  processMetrics?: boolean;
  /** Identical subgraph queries of one caller in flight at once sent once (on unless false). */
  inflightDedupe?: boolean;
  /** Identical queries of one caller in flight at once executed once, the others given its answer (on unless false). */
  requestDedupe?: boolean;
  /** Reports over closed months answered from memory until revised (DEFAULT_REPORT_CACHE unless false). */
  reportCache?: ReportCacheOptions | false;
}

export interface GatewayServer extends Listenable {
  registry: Registry;
}

type CallMetrics = ReturnType<typeof subgraphCallMetrics>;

const REVISION_MARK = '{ reportPeriods { month revisionCount } }';
const GATEWAY_SERVICE: Identity = { subject: 'gateway', role: 'SERVICE' };

/** GraphiQL outside production, when its dev dependencies are installed. */
const developerPage = (production: boolean, next: RequestHandler): RequestHandler => (!production && graphiqlInstalled() ? withGraphiQL(next) : next);

export function committedSupergraph(): string {
  return readFileSync(join(SCHEMA_DIR, 'supergraph.graphql'), 'utf8');
}

/**
 * Sends each call to its subgraph signed with that subgraph's secret (nothing of the client's request passes)
 * over a keep-alive undici pool: its request API costs a fraction of fetch's per call, and the body is
 * serialised once, the same bytes signed and sent. Timeouts, the request's deadline, retries and the circuit
 * breaker are the policy's (resilience/); a call that gets no answer is answered with UNAVAILABLE on exactly the
 * fields it was for, so the rest of the client's answer stands.
 */
class SubgraphSource implements GraphQLDataSource<GatewayContext> {
  private readonly pool: Pool;
  private readonly path: string;
  private readonly inflight = new Map<string, Promise<{ statusCode: number; text: string }>>();

  constructor(
    private readonly system: System,
    readonly url: string,
    private readonly secret: string,
    readonly policy: SubgraphCallPolicy,
    private readonly resilience: ResilienceConfig,
    private readonly metrics: CallMetrics,
    private readonly dedupe: boolean,
    tls: SubgraphClientTls | undefined,
  ) {
    const u = new URL(url);
    this.path = u.pathname + u.search;
    this.pool = new Pool(u.origin, { connections: 128, keepAliveTimeout: 60_000, connectTimeout: resilience.connectTimeoutMs, ...subgraphConnect(tls) });
  }

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const context = (options.context ?? {}) as Partial<GatewayContext>;
    context.access?.subgraphs.add(this.system.name);
    const incoming = 'incomingRequestContext' in options ? options : undefined;
    const fetchKind = kindOf(options.request.query ?? '');
    const requestKind: OperationKind = incoming?.incomingRequestContext.operation?.operation === 'mutation' ? 'mutation' : 'query';
    const deadline = (context.deadline ??= RequestDeadline.of(this.resilience));
    const representations = options.request.variables?.representations as unknown[] | undefined;
    const started = process.hrtime.bigint();
    let outcome: 'ok' | 'refused' | 'error' = 'error';
    try {
      const response = await this.policy.run(
        {
          kind: fetchKind,
          timeoutMs: fetchKind === 'mutation' ? this.resilience.mutationTimeoutMs : (this.resilience.timeoutMsBySubgraph[this.system.name] ?? this.resilience.queryTimeoutMs),
          leftMs: () => deadline.leftMs(requestKind),
        },
        (signal) => this.call(options, signal),
      );
      outcome = outcomeOf(200, new Set((response.errors ?? []).map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'))));
      if (!representations && response.data) (context.rootData ??= []).push(response.data);
      return response;
    } catch (e) {
      if (e instanceof SubgraphCallFailed) {
        const operation = options.request.query ? operationOf(incoming?.document, options.request.query) : undefined;
        return unavailableAnswer(this.system, { operation, representations, path: incoming?.pathInIncomingRequest, roots: context.rootData ?? [] });
      }
      if (e instanceof GraphQLError && CLIENT_CODES.has(String(e.extensions.code))) outcome = 'refused';
      throw e;
    } finally {
      this.metrics.requests.inc({ subgraph: this.system.name, outcome });
      this.metrics.duration.observe({ subgraph: this.system.name }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  /**
   * Identical queries in flight at once are sent once, keyed by the verified identity as well as the body: a
   * subgraph answers per caller (masking, a department's own dossiers), so callers never share another's answer.
   * Each parses its own copy of the text, since @apollo/gateway merges into the response it is given.
   */
  private send(kind: string, identity: Identity, body: string, fetch: () => Promise<{ statusCode: number; text: string }>) {
    if (kind !== 'query' || !this.dedupe) return fetch();
    const key = `${identityKey(identity)}\u0000${body}`;
    const running = this.inflight.get(key);
    if (running) {
      this.metrics.inflightJoined.inc({ subgraph: this.system.name });
      // The first caller's own deadline may have cut the call short: for this one, the subgraph did not answer.
      return running.catch((e) => {
        throw e instanceof SubgraphCallFailed ? e : new SubgraphCallFailed('connection');
      });
    }
    const sent = fetch().finally(() => this.inflight.delete(key));
    this.inflight.set(key, sent);
    return sent;
  }

  private async call({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>, signal: AbortSignal): Promise<GatewayGraphQLResponse> {
    const { query, variables, operationName, extensions } = request;
    if (!query) throw new Error('Missing query');
    const body = JSON.stringify({ query, variables, operationName, extensions });
    const identity = (context as Partial<GatewayContext>)?.identity ?? ANONYMOUS;
    const { statusCode, text } = await this.send(kindOf(query), identity, body, () => tracedFetch(this.system.name, async (traceHeaders) => {
      const headers = {
        'content-type': 'application/json',
        ...signRequest(this.secret, {
          method: 'POST',
          path: this.path,
          body,
          identity,
          requestId: (context as Partial<GatewayContext>)?.requestId ?? requestIdOf(undefined),
          trace: traceHeaders,
        }),
      };
      try {
        const res = await this.pool.request({ method: 'POST', path: this.path, headers, body, signal });
        return { statusCode: res.statusCode, text: await res.body.text() };
      } catch (e) {
        if (signal.aborted) throw e;
        throw new SubgraphCallFailed('connection');
      }
    }));
    let parsed: GatewayGraphQLResponse | null = null;
    try {
      parsed = JSON.parse(text) as GatewayGraphQLResponse;
    } catch {
      parsed = null;
    }
    // A 500 with GraphQL errors is the subgraph answering that it failed (an audit write that failed withholds the
    // data so): an answer, opaque to the client. A gateway or proxy on the way (502-504), or anything else it
    // could not say in GraphQL, is a system not answering.
    if (statusCode >= 500 && !(statusCode === 500 && Array.isArray(parsed?.errors))) throw new SubgraphCallFailed('status', statusCode);
    if (statusCode < 200 || statusCode > 299) throw errorFromResponse(statusCode, parsed);
    if (typeof parsed !== 'object' || parsed === null) throw new SubgraphCallFailed('answer');
    return parsed;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/**
 * A subgraph refuses bad variables (a malformed DateTime) with HTTP 400 and a coded error it wrote for the
 * client: pass those on. A refused signature (401/403: a secret that differs, a clock that drifts) is the
 * deployment's fault, not the client's: opaque (masked later) and counted as an error, so the alert on subgraph
 * errors fires. Anything else stays opaque too.
 */
function errorFromResponse(status: number, body: GatewayGraphQLResponse | null): GraphQLError {
  if (status === 401 || status === 403) return new GraphQLError(`a subgraph refused the gateway's call (${status})`);
  const first = body?.errors?.[0] as { message?: string; extensions?: { code?: string; field?: string } } | undefined;
  const code = first?.extensions?.code;
  if (first?.message && code && CLIENT_CODES.has(code)) {
    return new GraphQLError(first.message, { extensions: { code, ...(first.extensions?.field ? { field: first.extensions.field } : {}) } });
  }
  return new GraphQLError(`a subgraph answered ${status}`);
}

/** Every error a client sees carries the request id, under which the gateway and subgraphs logged it. */
function requestIdOnErrors(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue }) {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          response.body.singleResult.errors = response.body.singleResult.errors.map((e) => ({
            ...e,
            extensions: { ...e.extensions, requestId: contextValue.requestId },
          }));
        },
      };
    },
  };
}

/** The gateway serving the committed supergraph; builds the app, does not listen. */
export async function createGateway(o: GatewayOptions): Promise<GatewayServer> {
  const log = o.log ?? createLogger('gateway');
  const authenticate = await createAuthenticator(o.auth, log);
  const metrics = graphqlMetrics('gateway', { processMetrics: o.processMetrics });
  const calls = subgraphCallMetrics(metrics.registry);
  const resilience: ResilienceConfig = { ...DEFAULT_RESILIENCE, ...o.resilience };
  // Kept across supergraph reloads: a reload must not close an open circuit, nor open a pool per subgraph each time.
  const sources = new Map<string, SubgraphSource>();
  const retired: SubgraphSource[] = [];
  const proxies = o.trustedProxies?.length ? trustedProxies(o.trustedProxies) : null;
  const limiter = createRateLimiter({ ...o.rateLimits, perMinute: o.rateLimitPerMinute ?? 0, redisUrl: o.redisUrl, log });
  await limiter.ready();
  const gateway = new ApolloGateway({
    supergraphSdl: supergraphSource({
      sdl: o.supergraphSdl,
      file: o.supergraph?.file ?? join(SCHEMA_DIR, 'supergraph.graphql'),
      url: o.supergraph?.url,
      pollMs: o.supergraph?.pollMs ?? 10_000,
      log,
      onReload: (outcome) => calls.reloads.inc({ outcome }),
    }),
    buildService: ({ name, url }) => {
      const secret = o.signingSecrets[name];
      if (!secret) throw new Error(`no signing secret for subgraph ${name}`);
      const target = o.subgraphUrls[name] ?? url!;
      const known = sources.get(name);
      if (known?.url === target) return known;
      const system: System = SUBGRAPHS.find((s) => s.name === name) ?? { name };
      const source = new SubgraphSource(system, target, secret, known?.policy ?? new SubgraphCallPolicy(name, resilience, { gauge: calls.circuitOpen, log }), resilience, calls, o.inflightDedupe ?? true, o.subgraphTls?.[name]);
      if (known) retired.push(known);
      sources.set(name, source);
      return source;
    },
    logger: {
      debug: () => {},
      info: (m) => log.info(String(m)),
      warn: (m) => log.warn(String(m)),
      error: (m) => log.error(String(m)),
    },
  });
  const limits = armor(!!o.production);
  const cacheOptions = o.reportCache === undefined ? DEFAULT_REPORT_CACHE : o.reportCache;
  // The register's list of closed months with their revision counts, asked of the register directly (its own field,
  // nothing to plan) with the subgraph call's signature, timeouts and circuit: a cache hit pays one call, not a
  // whole operation through the gateway's pipeline; marks asked at once are one call (the source's in-flight dedupe).
  const revisionMark = async (): Promise<string | null> => {
    const register = sources.get('intake');
    if (!register) return null;
    const body = await register.process({
      kind: GraphQLDataSourceRequestKind.HEALTH_CHECK,
      request: { query: REVISION_MARK },
      context: { requestId: requestIdOf(undefined), identity: GATEWAY_SERVICE },
    });
    return body?.data && !body.errors?.length ? JSON.stringify(body.data.reportPeriods) : null;
  };
  const caching = cacheOptions && cacheOptions.maxEntries > 0 ? [reportCache<GatewayContext>(cacheOptions, revisionMark, calls.reportCache)] : [];
  const apollo: ApolloServer<GatewayContext> = new ApolloServer<GatewayContext>({
    gateway,
    formatError: maskErrors,
    includeStacktraceInErrorResponses: false,
    // The process drains on SIGTERM itself (service.ts); Apollo's own handler would stop it at once, failing what comes.
    stopOnTerminationSignals: false,
    allowBatchedHttpRequests: false,
    // Open APQ lets any caller register documents in the gateway's cache, past the limits a client would be held to.
    persistedQueries: o.persistedQueries ? {} : false,
    introspection: !o.production,
    csrfPrevention: true,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled(), ...limits.plugins, receiptLimit(limiter), logErrors(log), requestIdOnErrors(), accessPlugin(), tracingPlugin(), ...caching,
      ...(o.requestDedupe ?? true ? [requestDedupe<GatewayContext>(calls.requestsJoined)] : []),
      fieldUsage<GatewayContext>(metrics.registry, { knownClients: [DASHBOARD_CLIENT, ...(o.trustedDocuments?.enforcedClients ?? [])] })],
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  const lifecycle: Lifecycle = { draining: false };
  // Ready once the supergraph is loaded (apollo.start() resolved above) and until it drains: never on account of a
  // department, whose absence the graph answers around.
  probeRoutes(app, 'gateway', lifecycle, async () => null);
  const health = new SubgraphHealth(
    Object.fromEntries(Object.entries(o.subgraphUrls).map(([n, url]) => [n, url.replace(/\/graphql$/, '/readiness')])),
    calls.subgraphUp,
    o.subgraphTls,
  );
  await health.start();
  app.get('/health/subgraphs', (_req, res) => void res.set('cache-control', 'no-store').json(health.snapshot()));
  if (o.metricsOnPublicPort ?? true) app.get('/metrics', metricsHandler(metrics.registry));
  exportRoutes(app, apollo, authenticate, log);
  dashboardRoutes(app, o.dashboard ?? { oidc: null, devSignIn: !o.production });
  nationalSyncRoutes(app, apollo, authenticate, log);
  // The deadline counts from the request's first byte: reading its body, the token and the rate limit take from it too.
  const arrivals = new WeakMap<IncomingMessage, number>();
  const trusted = o.trustedDocuments ?? { documents: new Map(), enforcedClients: new Set<string>() };
  const route = graphqlRoute<GatewayContext>(apollo, {
    service: 'gateway',
    maxBytes: 256 * 1024,
    admit: (req, raw) => {
      const parsed = jsonBody(req, raw);
      if (!parsed.ok) return { ok: false, status: 400, code: 'BAD_REQUEST', message: 'the body is not valid JSON' };
      const clientName = req.headers['x-graphql-client-name'];
      const document = admitDocument(trusted, typeof clientName === 'string' ? clientName : undefined, parsed.body);
      if (!document.ok) return document;
      const requestId = requestIdOf(req.headers['x-request-id']);
      const access = accessRecord(req);
      access.requestId = requestId;
      return {
        ok: true,
        body: document.body,
        context: async () => {
          const identity = await authenticate(req.headers.authorization);
          const clientAddress = addressOf(req, proxies);
          await limiter.admit(identity, clientAddress);
          return { requestId, access, identity, clientAddress, deadline: RequestDeadline.of(resilience, arrivals.get(req)) };
        },
        headers: { 'x-request-id': requestId },
      };
    },
  });
  const graphql: RequestHandler = (req, res) => {
    arrivals.set(req, performance.now());
    route(req, res);
  };

  const server = listenable(
    observed(withCors(o.corsOrigins ?? [], developerPage(!!o.production, withGraphQLAt('/graphql', graphql, app))), { log, metrics }),
    async () => {
      await health.stop();
      await apollo.stop();
      await limiter.close();
      await Promise.all([...sources.values(), ...retired].map((s) => s.close()));
    },
    lifecycle,
  );
  return { ...server, registry: metrics.registry };
}
