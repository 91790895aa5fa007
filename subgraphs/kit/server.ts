process.env.APOLLO_TELEMETRY_DISABLED = '1';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express from 'express';
import type { DataSource } from 'typeorm';
import { createDataSource, openDatabase, StatementCounter } from './data-source';
import { healthRoute, Listenable, listenable, maskErrors } from './http';
import { NonceCache, verifyRequest } from './signing';
import { createLogger, Logger } from './logger';
import { buildModuleSchema } from './schema';
import type { RequestContext, SubgraphModule } from './subgraph';

export interface SubgraphServer extends Listenable {
  name: string;
  db: DataSource;
  /** SQL statements sent since the last reset. */
  statements: StatementCounter;
  /** GraphQL requests accepted (signed and valid) and refused. */
  requests: { accepted: number; refused: number };
}

/** Opens (and migrates) the subgraph's own database and builds its HTTP app; does not listen. */
export async function createSubgraphServer(
  m: SubgraphModule,
  options: { databaseUrl: string; signingSecret: string; log?: Logger },
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
  const requests = { accepted: 0, refused: 0 };
  const nonces = new NonceCache();
  app.use(
    '/graphql',
    express.raw({ type: () => true, limit: '2mb' }),
    (req, res, next) => {
      const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const verdict = verifyRequest(options.signingSecret, { method: req.method, path: req.originalUrl, body, headers: req.headers }, nonces);
      if (!verdict.ok) {
        requests.refused++;
        log.warn({ reason: verdict.reason }, 'refused a call not signed by the gateway');
        res.status(403).json({ errors: [{ message: 'access denied: only signed calls from the gateway are served', extensions: { code: 'FORBIDDEN' } }] });
        return;
      }
      try {
        req.body = body.length ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        res.status(400).json({ errors: [{ message: 'the body is not JSON', extensions: { code: 'BAD_REQUEST' } }] });
        return;
      }
      requests.accepted++;
      res.locals.identity = verdict.identity;
      res.locals.requestId = verdict.requestId;
      next();
    },
    expressMiddleware(apollo, {
      context: async ({ res }) => {
        const requestId: string = res.locals.requestId;
        return { requestId, identity: res.locals.identity, db, loaders: m.createLoaders(db), log: log.child({ requestId }) };
      },
    }),
  );

  return {
    name: m.name,
    db,
    statements,
    requests,
    ...listenable(app, async () => {
      await apollo.stop();
      await db.destroy();
    }),
  };
}
