import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { RequestHandler } from './graphql-route';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { GraphQLFormattedError } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { CLIENT_CODES } from './errors';
import type { Logger } from './logger';

/**
 * The id of one operation, under which the gateway and every subgraph log it. A caller's own id, when safe to
 * echo, leads it, so its logs can be matched; a suffix keeps it unique even when a caller reuses its id
 * (subgraphs key per-operation state on it).
 */
export function requestIdOf(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && /^[A-Za-z0-9-]{8,64}$/.test(value) ? `${value.slice(0, 48)}-${randomBytes(6).toString('hex')}` : randomUUID();
}

/**
 * Errors written for clients pass; anything else (a driver error with SQL, a bug with a stack, a message
 * carrying someone's data) becomes an opaque internal error. Logging is `logErrors`' job, with the request id.
 */
export function maskErrors(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const code = formatted.extensions?.code as string | undefined;
  if (code && CLIENT_CODES.has(code)) {
    const { stacktrace: _s, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  return {
    message: 'Internal server error',
    path: formatted.path,
    locations: formatted.locations,
    extensions: { code: 'INTERNAL_SERVER_ERROR', ...(formatted.extensions?.requestId ? { requestId: formatted.extensions.requestId } : {}) },
  };
}

/** Logs every error of an operation under its request id: type, code, SQL state and path, never the message. */
export function logErrors<C extends { requestId: string }>(log: Logger): ApolloServerPlugin<C> {
  return {
    async requestDidStart({ contextValue }) {
      return {
        async didEncounterErrors({ errors }) {
          for (const e of errors) {
            const original = unwrapResolverError(e) as Error & { code?: string };
            const code = (e.extensions?.code as string | undefined) ?? 'INTERNAL_SERVER_ERROR';
            const entry = { requestId: contextValue.requestId, code, path: e.path, type: original?.name, sqlState: original?.code };
            if (CLIENT_CODES.has(code)) log.info(entry, 'operation refused');
            else log.error(entry, 'internal error in resolver');
          }
        },
      };
    },
  };
}

export interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listening is separate from building: tests listen on port 0. */
export function listen(handler: RequestHandler, port: number, host: string, path = '/graphql'): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server: Server = createServer(handler).listen(port, host);
    server.once('error', reject);
    server.once('listening', () => {
      const actual = (server.address() as AddressInfo).port;
      server.keepAliveTimeout = 65_000;
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}${path}`,
        port: actual,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

export function healthRoute(app: express.Express, name: string, check: () => Promise<void>): void {
  app.get('/health', async (_req, res) => {
    try {
      await check();
      res.json({ status: 'ok', service: name });
    } catch {
      res.status(503).json({ status: 'unavailable', service: name });
    }
  });
}

export interface Listenable {
  handler: RequestHandler;
  listen(port: number, host?: string): Promise<Listening>;
  close(): Promise<void>;
}

/** An app that can listen on several ports and closes them all, then releases what it holds. */
export function listenable(handler: RequestHandler, release: () => Promise<void>): Listenable {
  const listening: Listening[] = [];
  return {
    handler,
    async listen(port, host = '127.0.0.1') {
      const l = await listen(handler, port, host);
      listening.push(l);
      return l;
    },
    async close() {
      await Promise.all(listening.map((l) => l.close()));
      await release();
    },
  };
}
