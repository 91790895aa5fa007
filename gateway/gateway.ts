import { readFileSync } from 'node:fs';
import { join } from 'node:path';
process.env.APOLLO_TELEMETRY_DISABLED = '1';
import { ApolloGateway, GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import type { FetcherResponse } from '@apollo/utils.fetcher';
import { GraphQLError } from 'graphql';
import { CLIENT_CODES } from '../subgraphs/kit/errors';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { healthRoute, Listenable, listenable, logErrors, maskErrors, requestIdOf } from '../subgraphs/kit/http';
import { createLogger, Logger } from '../subgraphs/kit/logger';
import { SCHEMA_DIR } from '../subgraphs/kit/paths';
import type { AuthConfig } from '../subgraphs/kit/config';
import { ANONYMOUS, Identity } from '../subgraphs/kit/identity';
import { signRequest } from '../subgraphs/kit/signing';
import { createAuthenticator } from './auth';
import { armor } from './limits';
import { exportRoutes } from './exports';

export interface GatewayContext {
  requestId: string;
  identity: Identity;
}

export interface GatewayOptions {
  /** Where each subgraph listens, by registry name; overrides the URLs written in the supergraph. */
  subgraphUrls: Record<string, string>;
  /** The secret shared with each subgraph, by registry name. */
  signingSecrets: Record<string, string>;
  auth: AuthConfig;
  production?: boolean;
  supergraphSdl?: string;
  log?: Logger;
}

export type GatewayServer = Listenable;

export function committedSupergraph(): string {
  return readFileSync(join(SCHEMA_DIR, 'supergraph.graphql'), 'utf8');
}

/** Signs every call to a subgraph with that subgraph's secret; nothing of the client's request passes. */
class SubgraphSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    url: string,
    private readonly secret: string,
  ) {
    // Node's own fetch (undici, keep-alive) instead of the default make-fetch-happen: less work per hop.
    super({ url, fetcher: fetch as never });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    // The body as RemoteGraphQLDataSource will serialise it: the query first, then the rest, no http.
    const { http, query, ...rest } = request;
    if (!http) return;
    const url = new URL(this.url);
    const headers = signRequest(this.secret, {
      method: http.method,
      path: url.pathname + url.search,
      body: JSON.stringify({ query, ...rest }),
      identity: context?.identity ?? ANONYMOUS,
      requestId: context?.requestId ?? requestIdOf(undefined),
    });
    for (const [k, v] of Object.entries(headers)) http.headers.set(k, v);
  }

  /**
   * A subgraph refuses bad variables (a malformed DateTime) with HTTP 400 and a coded error it wrote for
   * the client: pass that on instead of an opaque failure. Anything else stays masked.
   */
  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    const body = (await response.clone().json().catch(() => null)) as { errors?: { message?: string; extensions?: { code?: string; field?: string } }[] } | null;
    const first = body?.errors?.[0];
    const code = first?.extensions?.code;
    if (first?.message && code && CLIENT_CODES.has(code)) {
      return new GraphQLError(first.message, { extensions: { code, ...(first.extensions?.field ? { field: first.extensions.field } : {}) } });
    }
    return super.errorFromResponse(response);
  }
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
  const authenticate = await createAuthenticator(o.auth);
  const gateway = new ApolloGateway({
    supergraphSdl: o.supergraphSdl ?? committedSupergraph(),
    buildService: ({ name, url }) => {
      const secret = o.signingSecrets[name];
      if (!secret) throw new Error(`no signing secret for subgraph ${name}`);
      return new SubgraphSource(o.subgraphUrls[name] ?? url!, secret);
    },
    logger: {
      debug: () => {},
      info: (m) => log.info(String(m)),
      warn: (m) => log.warn(String(m)),
      error: (m) => log.error(String(m)),
    },
  });
  const limits = armor(!!o.production);
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError: maskErrors,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    introspection: !o.production,
    csrfPrevention: true,
    validationRules: limits.validationRules,
    plugins: [ApolloServerPluginLandingPageDisabled(), ...limits.plugins, logErrors(log), requestIdOnErrors()],
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  healthRoute(app, 'gateway', async () => {});
  exportRoutes(app, apollo, authenticate, log);
  app.use(
    '/graphql',
    express.json({ limit: '256kb' }),
    expressMiddleware(apollo, {
      context: async ({ req }) => ({
        requestId: requestIdOf(req.headers['x-request-id']),
        identity: await authenticate(req.headers.authorization),
      }),
    }),
  );

  return listenable(app, () => apollo.stop());
}
