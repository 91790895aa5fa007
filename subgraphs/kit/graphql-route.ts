import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer, BaseContext, HeaderMap } from '@apollo/server';
import { tracedRequest } from './telemetry/tracing';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** What a route decides about a request before Apollo sees it: its parsed body and context, or a refusal. */
export type Admission<C> =
  | { ok: true; body: unknown; context: () => Promise<C>; headers?: Record<string, string> }
  | { ok: false; status: number; message: string; code: string };

class TooLarge extends Error {}

function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        req.resume();
        reject(new TooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * A GraphQL endpoint on Node's own HTTP server, through Apollo Server's HTTP entry point: for the gateway and
 * every subgraph, on the path each hop of every operation takes. Express (routing, body parsing, response
 * helpers) cost more per call than the subgraph's own work on a report; it still serves the other routes.
 */
export function graphqlRoute<C extends BaseContext>(
  apollo: ApolloServer<C>,
  o: { service: string; maxBytes: number; admit(req: IncomingMessage, raw: Buffer): Admission<C> },
): RequestHandler {
  return (req, res) => {
    void (async () => {
      // Judged from the headers, before reading a body that would not be used.
      const refusal = unreadable(req);
      if (refusal) {
        sendJson(res, 415, { errors: [{ message: refusal, extensions: { code: 'BAD_REQUEST' } }] });
        return;
      }
      let raw: Buffer;
      try {
        raw = await readBody(req, o.maxBytes);
      } catch (e) {
        if (e instanceof TooLarge) sendJson(res, 413, { errors: [{ message: 'the request body is too large', extensions: { code: 'BAD_REQUEST' } }] });
        else res.destroy();
        return;
      }
      const admission = o.admit(req, raw);
      if (!admission.ok) {
        sendJson(res, admission.status, { errors: [{ message: admission.message, extensions: { code: admission.code } }] });
        return;
      }
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      const q = req.url!.indexOf('?');
      const response = await tracedRequest(o.service, req.headers, () =>
        apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: req.method!.toUpperCase(), headers, search: q >= 0 ? req.url!.slice(q) : '', body: admission.body },
          context: admission.context,
        }),
      );
      // Answers may hold personal data: no browser or proxy keeps them.
      res.setHeader('cache-control', 'no-store');
      for (const [key, value] of Object.entries(admission.headers ?? {})) res.setHeader(key, value);
      for (const [key, value] of response.headers) res.setHeader(key, value);
      res.statusCode = response.status ?? 200;
      if (response.body.kind === 'complete') {
        res.end(response.body.string);
        return;
      }
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    })().catch(() => {
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.destroy();
    });
  };
}

/** A body this route cannot read as it came: compressed, or in a character set other than UTF-8. */
function unreadable(req: IncomingMessage): string | null {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') return 'compressed request bodies are not accepted';
  const charset = /charset=("?)([^";\s]+)\1/i.exec(req.headers['content-type'] ?? '')?.[2]?.toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') return 'the body must be UTF-8';
  return null;
}

/**
 * Sends `path` to the GraphQL route, as Express would have matched it (any case, a trailing slash, a query
 * string), and everything else to the other routes.
 */
export function withGraphQLAt(path: string, graphql: RequestHandler, other: RequestHandler): RequestHandler {
  const wanted = path.toLowerCase();
  return (req, res) => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    let pathname = (q >= 0 ? url.slice(0, q) : url).toLowerCase();
    if (pathname.length > 1 && pathname.endsWith('/')) pathname = pathname.slice(0, -1);
    if (pathname === wanted) graphql(req, res);
    else other(req, res);
  };
}

/** A JSON body, as express.json would give it: parsed when the request says it is JSON, otherwise none. */
export function jsonBody(req: IncomingMessage, raw: Buffer): { ok: true; body: unknown } | { ok: false } {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/(json|graphql-response\+json)\b/i.test(type) || raw.length === 0) return { ok: true, body: undefined };
  try {
    return { ok: true, body: JSON.parse(raw.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}
