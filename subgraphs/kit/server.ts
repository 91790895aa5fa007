process.env.APOLLO_TELEMETRY_DISABLED = '1';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express from 'express';
import type { DataSource } from 'typeorm';
import { createDataSource, openDatabase, StatementCounter } from './data-source';
import { healthRoute, Listenable, listenable, maskErrors, requestIdOf } from './http';
import { createLogger, Logger } from './logger';
import { buildModuleSchema } from './schema';
import type { RequestContext, SubgraphModule } from './subgraph';

export interface SubgraphServer extends Listenable {
  name: string;
  db: DataSource;
  /** SQL statements sent since the last reset. */
  statements: StatementCounter;
}

/** Opens (and migrates) the subgraph's own database and builds its HTTP app; does not listen. */
export async function createSubgraphServer(
  m: SubgraphModule,
  options: { databaseUrl: string; log?: Logger },
): Promise<SubgraphServer> {
  const log = options.log ?? createLogger(m.name);
  const statements = new StatementCounter();
  const db = await openDatabase(
    createDataSource({ url: options.databaseUrl, entities: m.entities, migrations: m.migrations, counter: statements, log }),
    options.databaseUrl,
  );
  const apollo = new ApolloServer<RequestContext>({
    schema: await buildModuleSchema(m),
    formatError: maskErrors(log),
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  healthRoute(app, m.name, async () => {
    await db.query('SELECT 1');
  });
  app.use(
    '/graphql',
    express.json({ limit: '2mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const requestId = requestIdOf(req.headers['x-request-id']);
        return { requestId, db, loaders: m.createLoaders(db), log: log.child({ requestId }) };
      },
    }),
  );

  return {
    name: m.name,
    db,
    statements,
    ...listenable(app, async () => {
      await apollo.stop();
      await db.destroy();
    }),
  };
}
