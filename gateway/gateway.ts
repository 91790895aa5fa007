import { readFileSync } from 'node:fs';
import { join } from 'node:path';
process.env.APOLLO_TELEMETRY_DISABLED = '1';
import { ApolloGateway, GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { healthRoute, Listenable, listenable, maskErrors, requestIdOf } from '../subgraphs/kit/http';
import { createLogger, Logger } from '../subgraphs/kit/logger';
import { SCHEMA_DIR } from '../subgraphs/kit/paths';

export interface GatewayContext {
  requestId: string;
}

export interface GatewayOptions {
  /** Where each subgraph listens, by registry name; overrides the URLs written in the supergraph. */
  subgraphUrls: Record<string, string>;
  supergraphSdl?: string;
  log?: Logger;
}

export type GatewayServer = Listenable;

export function committedSupergraph(): string {
  return readFileSync(join(SCHEMA_DIR, 'supergraph.graphql'), 'utf8');
}

class SubgraphSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (context?.requestId) request.http?.headers.set('x-request-id', context.requestId);
  }
}

/** The gateway serving the committed supergraph; builds the app, does not listen. */
export async function createGateway(o: GatewayOptions): Promise<GatewayServer> {
  const log = o.log ?? createLogger('gateway');
  const gateway = new ApolloGateway({
    supergraphSdl: o.supergraphSdl ?? committedSupergraph(),
    buildService: ({ name, url }) => {
      const target = o.subgraphUrls[name] ?? url;
      return new SubgraphSource({ url: target });
    },
    logger: {
      debug: () => {},
      info: (m) => log.info(String(m)),
      warn: (m) => log.warn(String(m)),
      error: (m) => log.error(String(m)),
    },
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError: maskErrors(log),
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    plugins: [ApolloServerPluginLandingPageDisabled()],
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  healthRoute(app, 'gateway', async () => {});
  app.use(
    '/graphql',
    express.json({ limit: '256kb' }),
    expressMiddleware(apollo, { context: async ({ req }) => ({ requestId: requestIdOf(req.headers['x-request-id']) }) }),
  );

  return listenable(app, () => apollo.stop());
}
