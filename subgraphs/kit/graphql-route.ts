import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer, BaseContext, HeaderMap, HTTPGraphQLRequest, HTTPGraphQLResponse } from '@apollo/server';
import { GraphQLError, Lexer, Source, TokenKind } from 'graphql';
import { requestIdOf } from './http';
import { tracedRequest } from './telemetry/tracing';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** What a route decides about a request before Apollo sees it: its parsed body and context, or a refusal. */
export type Admission<C> =
  | {
      ok: true;
      body: unknown;
      context: () => Promise<C>;
      headers?: Record<string, string>;
      /** Wraps the execution (an async context the resolvers run in). */
      around?: <T>(execute: () => Promise<T>) => Promise<T>;
    }
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
 *
 * The route's own refusals (a body it cannot read, too large, not admitted, carrying a NUL) are answered by
 * Apollo too, as a request whose context cannot be made: the same media type, error format and masking as
 * every other error. Each error answer names the request id it was logged under.
 */
export function graphqlRoute<C extends BaseContext>(
  apollo: ApolloServer<C>,
  o: { service: string; maxBytes: number; admit(req: IncomingMessage, raw: Buffer): Admission<C> | Promise<Admission<C>> },
): RequestHandler {
  const answer = async (req: IncomingMessage, res: ServerResponse, run: (request: HTTPGraphQLRequest) => Promise<HTTPGraphQLResponse>, headers: Record<string, string>) => {
    const q = req.url!.indexOf('?');
    const response = await run({ method: req.method!.toUpperCase(), headers: headerMap(req), search: q >= 0 ? req.url!.slice(q) : '', body: undefined });
    await send(req, res, response, headers);
  };
  const refuse = (req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string, headers?: Record<string, string>) => {
    const refusal = new GraphQLError(message, { extensions: { code, http: { status } } });
    const withId = headers?.['x-request-id'] ? headers : { ...headers, 'x-request-id': requestIdOf(req.headers['x-request-id']) };
    return answer(req, res, (request) => apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest: request, context: () => Promise.reject(refusal) }), withId);
  };
  return (req, res) => {
    void (async () => {
      // Judged from the headers, before reading a body that would not be used.
      const refusal = unreadable(req);
      if (refusal) return refuse(req, res, 415, 'BAD_REQUEST', refusal);
      let raw: Buffer;
      try {
        raw = await readBody(req, o.maxBytes);
      } catch (e) {
        if (e instanceof TooLarge) return refuse(req, res, 413, 'BAD_REQUEST', 'the request body is too large');
        res.destroy();
        return;
      }
      const admission = await o.admit(req, raw);
      if (!admission.ok) return refuse(req, res, admission.status, admission.code, admission.message);
      const headers = admission.headers ?? {};
      if (carriesNul(req, raw, admission.body)) {
        return refuse(req, res, 400, 'BAD_USER_INPUT', 'the request contains a NUL character, which no value may hold', headers);
      }
      return answer(
        req,
        res,
        (request) => {
          const execute = () => apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest: { ...request, body: admission.body }, context: admission.context });
          return tracedRequest(o.service, req.headers, admission.around ? () => admission.around!(execute) : execute);
        },
        headers,
      );
    })().catch(() => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const requestId = requestIdOf(req.headers['x-request-id']);
      res.setHeader('x-request-id', requestId);
      sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }] });
    });
  };
}

function headerMap(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

async function send(req: IncomingMessage, res: ServerResponse, response: HTTPGraphQLResponse, headers: Record<string, string>): Promise<void> {
  // Answers may hold personal data: no browser or proxy keeps them.
  res.setHeader('cache-control', 'no-store');
  for (const [key, value] of Object.entries(headers)) res.setHeader(key, value);
  for (const [key, value] of response.headers) res.setHeader(key, value);
  const status = response.status ?? 200;
  if (response.body.kind === 'complete') {
    const specified = status >= 400 ? asSpecified(req, status, response.headers.get('content-type'), response.body.string, headers['x-request-id']) : null;
    res.statusCode = specified?.status ?? status;
    res.end(specified?.text ?? response.body.string);
    return;
  }
  res.statusCode = status;
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** Errors a well-formed GraphQL-over-HTTP request can meet before execution: not a fault of the HTTP exchange. */
const REQUEST_ERRORS = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'OPERATION_RESOLUTION_FAILURE']);

/**
 * An error answer as the GraphQL-over-HTTP spec has it: every error carries the request id (errors met before
 * Apollo's plugins run, such as a refused token or CSRF, have none yet), and a client that asked for
 * `application/json` gets 200 for a request error, while `application/graphql-response+json` keeps the 4xx.
 * A caller that sends no Accept header at all (the gateway calling a subgraph: undici's request sends none)
 * keeps the 4xx it has always had, so the gateway still tells a refused call from an answer.
 */
function asSpecified(req: IncomingMessage, status: number, contentType: string | undefined, text: string, requestId: string | undefined) {
  let body: { errors?: { extensions?: Record<string, unknown> }[] };
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(body?.errors)) return null;
  if (requestId) body.errors = body.errors.map((e) => (e.extensions?.requestId ? e : { ...e, extensions: { ...e.extensions, requestId } }));
  const plainJson = !!req.headers.accept && /^application\/json\b/i.test(contentType ?? '');
  const requestError = status === 400 && body.errors.every((e) => REQUEST_ERRORS.has(String(e.extensions?.code)));
  return { status: plainJson && requestError ? 200 : status, text: JSON.stringify(body) };
}

/**
 * PostgreSQL cannot store NUL in text: a value holding one would fail in SQL as an internal error. Looked for
 * wherever a request carries text: the query (raw, or spelt `\u0000` inside a string literal), the operation
 * name, variables and extensions, in the JSON body or the query string.
 */
function carriesNul(req: IncomingMessage, raw: Buffer, body: unknown): boolean {
  const q = req.url!.indexOf('?');
  if (q >= 0) {
    const params = new URLSearchParams(req.url!.slice(q + 1));
    for (const [key, value] of params) {
      if (value.includes('\0')) return true;
      if ((key === 'variables' || key === 'extensions') && value.includes('\\u') && jsonHoldsNul(value)) return true;
      if (key === 'query' && nulInStringLiteral(value)) return true;
    }
  }
  // JSON spells NUL only through a \u escape (and a GraphQL escape's backslash may itself be spelt \u005c): a body
  // with no \u at all holds none, and most bodies have none. The others are judged decoded.
  if (raw.indexOf('\\u') < 0) return false;
  return holdsNul(body) || (typeof body === 'object' && body !== null && typeof (body as { query?: unknown }).query === 'string' && nulInStringLiteral((body as { query: string }).query));
}

function jsonHoldsNul(text: string): boolean {
  try {
    return holdsNul(JSON.parse(text));
  } catch {
    return false; // not JSON: Apollo refuses it as such
  }
}

/** Whether a decoded JSON value holds NUL in any string or key. */
export function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (Array.isArray(value)) return value.some(holdsNul);
  if (typeof value === 'object' && value !== null) return Object.entries(value).some(([k, v]) => k.includes('\0') || holdsNul(v));
  return false;
}

/** A string literal whose escapes spell NUL; found by graphql's own lexer, so a `\\u0000` outside one does not count. */
function nulInStringLiteral(query: string): boolean {
  if (!/\\u(0000|\{0+\})/.test(query)) return false;
  try {
    const lexer = new Lexer(new Source(query));
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      if (token.kind === TokenKind.STRING && token.value?.includes('\0')) return true;
    }
  } catch {
    // A syntax error: Apollo's parser reports it.
  }
  return false;
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
