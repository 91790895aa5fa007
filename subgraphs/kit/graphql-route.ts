import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer, BaseContext, HeaderMap } from '@apollo/server';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** What a route decides about a request before Apollo sees it: its parsed body and context, or a refusal. */
export type Admission<C> =
  | { ok: true; body: unknown; context: () => Promise<C> }
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
  o: { maxBytes: number; admit(req: IncomingMessage, raw: Buffer): Admission<C> },
): RequestHandler {
  return (req, res) => {
    void (async () => {
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
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method!.toUpperCase(), headers, search: q >= 0 ? req.url!.slice(q) : '', body: admission.body },
        context: admission.context,
      });
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

/** Sends `path` (and its query strings) to the GraphQL route, everything else to the other routes. */
export function withGraphQLAt(path: string, graphql: RequestHandler, other: RequestHandler): RequestHandler {
  return (req, res) => {
    const url = req.url ?? '';
    if (url === path || url.startsWith(`${path}?`)) graphql(req, res);
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
