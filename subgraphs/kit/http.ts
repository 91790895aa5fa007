import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { createServer as createSecureServer, type ServerOptions as SecureServerOptions } from 'node:https';
import type { RequestHandler } from './graphql-route';
import { Server as NetServer, type AddressInfo, type Socket } from 'node:net';
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
 * Errors written for clients pass, without what is internal: a stack, and the name @apollo/gateway gives each
 * subgraph error (`serviceName`: the client is told a system by `subgraph`, where that matters). Anything else (a
 * driver error with SQL, a bug with a stack, a message carrying someone's data) becomes an opaque internal error.
 * Logging is `logErrors`' job, with the request id.
 */
export function maskErrors(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const code = formatted.extensions?.code as string | undefined;
  if (code && CLIENT_CODES.has(code)) {
    const { stacktrace: _s, serviceName: _n, ...extensions } = formatted.extensions ?? {};
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
          // A system that is down leaves one error per entity it owns (a page of 100 dossiers: 100): one line says it.
          const unavailable = errors.filter((e) => e.extensions?.code === 'UNAVAILABLE');
          if (unavailable.length) {
            const subgraphs = [...new Set(unavailable.map((e) => e.extensions?.subgraph).filter(Boolean))];
            log.warn({ requestId: contextValue.requestId, code: 'UNAVAILABLE', subgraphs, errors: unavailable.length, path: unavailable[0].path }, 'answered without a system that did not answer');
          }
          for (const e of errors) {
            const original = unwrapResolverError(e) as Error & { code?: string };
            const code = (e.extensions?.code as string | undefined) ?? 'INTERNAL_SERVER_ERROR';
            if (code === 'UNAVAILABLE') continue;
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
  /** Stops accepting connections; resolves when those open are closed or `timeoutMs` passes, then cuts the rest. */
  drain(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** How long a draining server's open connections have to send a request before the silent ones are closed. */
const SETTLE_MS = 1_000;

/** Listening is separate from building: tests listen on port 0. HTTPS when given `tls`. */
export function listen(handler: RequestHandler, port: number, host: string, path = '/graphql', tls?: SecureServerOptions): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server: Server = (tls ? createSecureServer(tls, handler) : createServer(handler)).listen(port, host);
    server.once('error', reject);
    server.once('listening', () => {
      const actual = (server.address() as AddressInfo).port;
      const sockets = new Set<Socket>();
      const busy = new Set<Socket>();
      let onChange: (() => void) | undefined;
      // Over TLS a request's socket is the TLS one, not the TCP one under it: drain tracks the sockets requests come on.
      server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
        sockets.add(socket);
        socket.once('close', () => (sockets.delete(socket), onChange?.()));
      });
      server.on('request', (req, res) => {
        busy.add(req.socket);
        onChange?.();
        res.once('close', () => busy.delete(req.socket));
      });
      server.keepAliveTimeout = 65_000;
      const closed = new Promise<void>((done) => server.once('close', () => done()));
      resolve({
        url: `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${actual}${path}`,
        port: actual,
        async drain(timeoutMs) {
          // Not http's server.close() at once: it also destroys every connection with no request being read, and
          // that includes one accepted a moment ago, or a kept-alive one, whose request is on its way: the client
          // gets a reset for a request it did send. The listener closes first; open connections have a moment to
          // deliver theirs (answered with connection: close), then the ones still silent go.
          const started = Date.now();
          if (server.listening) NetServer.prototype.close.call(server);
          await new Promise<void>((done) => {
            const timer = setTimeout(settled, Math.min(SETTLE_MS, timeoutMs));
            function settled() {
              clearTimeout(timer);
              onChange = undefined;
              done();
            }
            onChange = () => [...sockets].every((s) => busy.has(s)) && settled();
            onChange();
          });
          server.close();
          for (const socket of sockets) if (!busy.has(socket)) socket.destroy();
          let timer: NodeJS.Timeout | undefined;
          const left = Math.max(0, timeoutMs - (Date.now() - started));
          await Promise.race([closed, new Promise<void>((done) => (timer = setTimeout(done, left)))]);
          clearTimeout(timer);
          server.closeAllConnections();
        },
        close: () => {
          if (server.listening) server.close();
          server.closeAllConnections();
          return closed;
        },
      });
    });
  });
}

/** Whether the process is stopping: readiness says so, and answers ask clients to reconnect elsewhere. */
export interface Lifecycle {
  draining: boolean;
}

export type ReadinessCheck = () => Promise<string | null>;

/**
 * Hive Gateway's probe names. /healthcheck: the process serves (liveness: restart it when this fails).
 * /readiness: it can do its own job now (take it out of the load balancer when this fails), with the reason as JSON.
 * /health stays as an alias of /healthcheck for existing monitors.
 */
export function probeRoutes(app: express.Express, name: string, lifecycle: Lifecycle, ready: ReadinessCheck): void {
  const alive: express.RequestHandler = (_req, res) => {
    res.set('cache-control', 'no-store').json({ status: 'ok', service: name });
  };
  app.get('/healthcheck', alive);
  app.get('/health', alive);
  app.get('/readiness', async (_req, res) => {
    res.set('cache-control', 'no-store');
    if (lifecycle.draining) return void res.status(503).json({ status: 'unavailable', service: name, reason: 'draining' });
    const reason = await ready().catch(() => 'readiness check failed');
    if (reason) return void res.status(503).json({ status: 'unavailable', service: name, reason });
    res.json({ status: 'ready', service: name });
  });
}

/** Resolves with `fallback` when `work` takes longer than `ms`: a probe must answer even when what it asks hangs. */
export function within<T>(ms: number, work: Promise<T>, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([work, new Promise<T>((done) => (timer = setTimeout(() => done(fallback), ms)))]).finally(() => clearTimeout(timer));
}

export interface Listenable {
  handler: RequestHandler;
  lifecycle: Lifecycle;
  listen(port: number, host?: string): Promise<Listening>;
  /**
   * Graceful stop, for SIGTERM: readiness turns 503 at once, and for `graceMs` requests are still accepted, so a
   * load balancer that has not yet seen the probe loses none (DRAIN_GRACE_MS); then no new connections, and the
   * requests in flight finish, up to `timeoutMs` in all. `close()` afterwards releases the rest.
   */
  drain(timeoutMs: number, graceMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** An app that can listen on several ports and closes them all, then releases what it holds. */
export function listenable(handler: RequestHandler, release: () => Promise<void>, lifecycle: Lifecycle = { draining: false }, tls?: SecureServerOptions): Listenable {
  const listening: Listening[] = [];
  const served: RequestHandler = (req, res) => {
    if (lifecycle.draining) res.setHeader('connection', 'close');
    handler(req, res);
  };
  return {
    handler: served,
    lifecycle,
    async listen(port, host = '127.0.0.1') {
      const l = await listen(served, port, host, '/graphql', tls);
      listening.push(l);
      return l;
    },
    async drain(timeoutMs, graceMs = Math.min(1_000, timeoutMs)) {
      lifecycle.draining = true;
      const started = Date.now();
      await new Promise((done) => setTimeout(done, graceMs));
      const left = Math.max(0, timeoutMs - (Date.now() - started));
      await Promise.all(listening.map((l) => l.drain(left)));
    },
    async close() {
      await Promise.all(listening.map((l) => l.close()));
      await release();
    },
  };
}
