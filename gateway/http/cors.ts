import cors from 'cors';
import type { RequestHandler } from '../../subgraphs/kit/graphql-route';
import { corsOrigins } from '../../subgraphs/kit/cors-origins';

/**
 * CORS for browser apps on other origins (the portal, a department's front-end), from an explicit allow-list.
 * Credentials stay off: the graph takes a bearer token, never a cookie, so no origin can ride a user's session,
 * and Apollo's CSRF prevention stays on for simple requests. An origin not on the list gets no CORS header at all,
 * so the browser keeps the answer from the page. Through the `cors` package (expressjs), which also answers the
 * preflight on plain Node requests, before the GraphQL route or Express sees them.
 */
export function withCors(allowed: readonly string[], next: RequestHandler): RequestHandler {
  if (!allowed.length) return next;
  const isAllowed = corsOrigins(allowed);
  const middleware = cors({
    origin: (origin, done) => done(null, origin !== undefined && isAllowed(origin) ? origin : false),
    credentials: false,
    methods: ['GET', 'POST'],
    allowedHeaders: ['authorization', 'content-type', 'x-request-id', 'apollo-require-preflight', 'x-apollo-operation-name', 'x-graphql-client-name', 'x-graphql-client-version'],
    exposedHeaders: ['x-request-id', 'retry-after', 'content-disposition'],
    maxAge: 600,
  });
  return (req, res) => {
    // The answer differs by Origin: caches must keep one per origin, allowed or not.
    res.setHeader('vary', 'Origin');
    middleware(req as never, res as never, () => next(req, res));
  };
}
