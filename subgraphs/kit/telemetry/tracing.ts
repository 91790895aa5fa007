import type { IncomingHttpHeaders } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import {
  Attributes,
  context,
  Context,
  createContextKey,
  defaultTextMapGetter,
  defaultTextMapSetter,
  isSpanContextValid,
  Link,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanStatusCode,
  trace,
  Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVICE_NAME,
} from '@opentelemetry/semantic-conventions';
import { defaultFieldResolver, GraphQLError, GraphQLFieldResolver, GraphQLSchema } from 'graphql';

/**
 * Every span carries the service that made it. In production each process has its own `service.name`; where
 * several services share a process and a provider (the tests, the benchmark) this attribute tells them apart.
 */
export const ATTR_MOTCUA_SERVICE = 'motcua.service';

/** The one service clients reach: the trust boundary for a caller's trace context. */
const EDGE = 'gateway';

const SERVICE = createContextKey('motcua.service');
const REQUEST_SPAN = createContextKey('motcua.request-span');

// W3C trace context only: no baggage, which a client could fill with anything and every hop would carry on.
const propagator = new W3CTraceContextPropagator();

let provider: NodeTracerProvider | undefined;
let tracer: Tracer | undefined;

/** Stamps each span with the service of the request it belongs to (see ATTR_MOTCUA_SERVICE). */
class ServiceStamp implements SpanProcessor {
  onStart(span: Span, parent: Context): void {
    const service = parent.getValue(SERVICE);
    if (typeof service === 'string') span.setAttribute(ATTR_MOTCUA_SERVICE, service);
  }
  onEnd(): void {}
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

/** Starts exporting traces over OTLP/HTTP when an endpoint is configured; does nothing otherwise. */
export function initTracing(service: string, endpoint: string | undefined): void {
  if (!endpoint) return;
  // Loaded only when tracing is on: the exporter and the SDK add some 150 ms to every start-up otherwise.
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  installTracing(service, new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` }));
}

/**
 * Installs the tracer provider with `exporter` behind a batch span processor (its queue and delay follow the
 * standard OTEL_BSP_* variables, the sampler OTEL_TRACES_SAMPLER): `initTracing` with the OTLP exporter, a
 * test with an in-memory one. The context manager keeps a request's span active through its execution.
 */
export function installTracing(service: string, exporter: SpanExporter): void {
  if (provider) throw new Error('tracing is already installed');
  const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: service }),
    spanProcessors: [new ServiceStamp(), new BatchSpanProcessor(exporter)],
  });
  // The propagator stays this module's own (W3C, see above); @apollo/gateway's spans come through the provider.
  provider.register({ propagator: null });
  tracer = provider.getTracer('motcua-graph');
}

/** The tracer while tracing is on; everything here does nothing, at the cost of one check, when it is off. */
export function activeTracer(): Tracer | undefined {
  return tracer;
}

/** Exports the spans still queued. */
export async function flushTracing(): Promise<void> {
  await provider?.forceFlush();
}

/** Exports what is queued and uninstalls the provider. */
export async function shutdownTracing(): Promise<void> {
  const p = provider;
  provider = undefined;
  tracer = undefined;
  if (!p) return;
  await p.shutdown();
  trace.disable();
  context.disable();
}

function failed(span: Span, e: unknown): void {
  // The exception's message and stack stay out of the trace, as they stay out of the logs.
  const code = e instanceof GraphQLError ? e.extensions?.code : (e as { code?: unknown })?.code;
  span.setAttribute(ATTR_ERROR_TYPE, typeof code === 'string' ? code : e instanceof Error ? e.constructor.name : 'unknown');
  span.setStatus({ code: SpanStatusCode.ERROR });
}

function statusOf(result: unknown, key: 'status' | 'statusCode'): number | undefined {
  const value = (result as Record<string, unknown> | null)?.[key];
  return typeof value === 'number' ? value : undefined;
}

/**
 * Runs one HTTP request's GraphQL execution in a server span. A subgraph continues the caller's
 * `traceparent`: this runs after the call's signature, which covers it, was verified. The gateway does not
 * let a client choose its trace: a client's context would also decide whether the request is sampled (a
 * caller could hide its requests from traces) and which trace our spans join, so the gateway starts a trace
 * of its own and links the client's span to it. Apollo Router and Hive Gateway accept it as parent by
 * default; here the client is outside the trust boundary, as for every other header it sends.
 */
export function tracedRequest<T>(service: string, headers: IncomingHttpHeaders, run: () => Promise<T>): Promise<T> {
  if (!tracer) return run();
  const incoming = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  let parent = incoming;
  let links: Link[] | undefined;
  if (service === EDGE) {
    const client = trace.getSpanContext(incoming);
    // The link keeps the client's ids only, not its tracestate.
    if (client && isSpanContextValid(client)) links = [{ context: { traceId: client.traceId, spanId: client.spanId, traceFlags: client.traceFlags } }];
    parent = ROOT_CONTEXT;
  }
  parent = parent.setValue(SERVICE, service);
  const span = tracer.startSpan('GraphQL Operation', { kind: SpanKind.SERVER, links }, parent);
  const active = trace.setSpan(parent, span).setValue(REQUEST_SPAN, span);
  return context.with(active, run).then(
    (result) => {
      const status = statusOf(result, 'status') ?? 200;
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      return result;
    },
    (e: unknown) => {
      failed(span, e);
      span.end();
      throw e;
    },
  );
}

/**
 * Runs one gateway → subgraph call in a client span; `run` gets the `traceparent` that carries the trace on
 * (the caller has the signature cover it).
 */
export async function tracedFetch<T>(subgraph: string, run: (traceHeaders: Record<string, string>) => Promise<T>): Promise<T> {
  if (!tracer) return run({});
  const span = tracer.startSpan(`subgraph ${subgraph}`, {
    kind: SpanKind.CLIENT,
    attributes: { 'subgraph.name': subgraph, [ATTR_HTTP_REQUEST_METHOD]: 'POST' },
  });
  const active = trace.setSpan(context.active(), span);
  const traceHeaders: Record<string, string> = {};
  propagator.inject(active, traceHeaders, defaultTextMapSetter);
  try {
    const result = await context.with(active, () => run(traceHeaders));
    const status = statusOf(result, 'statusCode');
    if (status !== undefined) {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      if (status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
    }
    return result;
  } catch (e) {
    failed(span, e);
    throw e;
  } finally {
    span.end();
  }
}

const wrapped = new WeakSet<GraphQLSchema>();

/**
 * A span around each root field's resolver (`_entities` included, so every entity fetch has one), active
 * while it runs, so the SQL it sends nests under it. Only root fields: Apollo's own per-field hook
 * (`willResolveField`) would wrap every field of every object in every answer.
 */
function traceRootFields(schema: GraphQLSchema): void {
  if (wrapped.has(schema)) return;
  wrapped.add(schema);
  for (const type of [schema.getQueryType(), schema.getMutationType()]) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      // The gateway's schema has no resolvers of its own: it executes query plans, traced by @apollo/gateway.
      if (!field.resolve || field.resolve === defaultFieldResolver) continue;
      const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve;
      const name = `${type!.name}.${field.name}`;
      const attributes: Attributes = { 'graphql.field.name': field.name, 'graphql.field.path': field.name, 'graphql.field.type': String(field.type), 'graphql.parent.name': type!.name };
      field.resolve = function (this: unknown, source, args, ctx, info) {
        if (!tracer || !trace.getSpan(context.active())?.isRecording()) return resolve.call(this, source, args, ctx, info);
        return tracer.startActiveSpan(name, { attributes }, (span) => {
          let result: unknown;
          try {
            result = resolve.call(this, source, args, ctx, info);
          } catch (e) {
            failed(span, e);
            span.end();
            throw e;
          }
          if (result instanceof Promise) {
            return result.then(
              (value) => {
                span.end();
                return value;
              },
              (e: unknown) => {
                failed(span, e);
                span.end();
                throw e;
              },
            );
          }
          span.end();
          return result;
        });
      };
    }
  }
}

/**
 * Names the request's server span after its operation, as OpenTelemetry's GraphQL conventions name it
 * (`query Dossier`), with the operation's name and type: never its document or variables. And spans for
 * the root fields' resolvers.
 */
export function tracingPlugin(): ApolloServerPlugin<any> {
  return {
    async serverWillStart({ schema }) {
      traceRootFields(schema);
    },
    async requestDidStart() {
      const span = context.active().getValue(REQUEST_SPAN) as Span | undefined;
      if (!span) return;
      return {
        async didResolveOperation({ operation, operationName }) {
          if (!operation) return;
          const name = operationName?.slice(0, 64);
          span.updateName(name ? `${operation.operation} ${name}` : operation.operation);
          span.setAttribute('graphql.operation.type', operation.operation);
          if (name) span.setAttribute('graphql.operation.name', name);
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          const code = errors?.[0]?.extensions?.code;
          if (code) span.setAttribute(ATTR_ERROR_TYPE, String(code));
        },
      };
    },
  };
}
