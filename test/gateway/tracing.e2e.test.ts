import { randomBytes, randomUUID } from 'node:crypto';
import { context, ROOT_CONTEXT, Span, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { devSigningSecret } from '../../subgraphs/kit/config';
import { signRequest } from '../../subgraphs/kit/signing';
import { activeTracer, ATTR_MOTCUA_SERVICE, flushTracing, installTracing, shutdownTracing } from '../../subgraphs/kit/telemetry/tracing';
import { postGraphQL, STAFF, startSystem, TestSystem, tokenFor } from '../support/system';

const DOSSIER = `
  query Dossier($code: String!) {
    dossier(code: $code) {
      code receivedAt
      applicant { fullName idNumber phone address }
      processing { __typename status officer history { status at } ... on TransportProcessing { transportLicence { kind number } } }
      shipments { trackingNumber direction status events { status at } }
    }
  }`;

const serviceOf = (s: ReadableSpan) => s.attributes[ATTR_MOTCUA_SERVICE];

/** The chain of spans from `span` up to its trace's root, within `spans`. */
function ancestors(span: ReadableSpan, spans: ReadableSpan[]): ReadableSpan[] {
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  const chain: ReadableSpan[] = [];
  for (let p = span.parentSpanContext && byId.get(span.parentSpanContext.spanId); p; p = p.parentSpanContext && byId.get(p.parentSpanContext.spanId)) chain.push(p);
  return chain;
}

describe('traces across the gateway and the subgraphs, over real HTTP and PostgreSQL', () => {
  const exporter = new InMemorySpanExporter();
  let system: TestSystem;
  let token: string;
  /** A dossier received by post for transport: its answer needs intake, transport and postal. */
  let CODE: string;

  /** Sends one query through the gateway and returns its answer and every span exported meanwhile. */
  async function traced(query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
    exporter.reset();
    const body = await postGraphQL(system.gatewayUrl, query, variables, token, headers);
    await flushTracing();
    return { body, spans: exporter.getFinishedSpans() };
  }

  beforeAll(async () => {
    installTracing('motcua-graph-test', exporter);
    system = await startSystem();
    token = await tokenFor(STAFF);
    [{ code: CODE }] = await system.subgraphs.intake.server.db.query(
      `SELECT code FROM dossier WHERE processing_system = 'transport' AND channel = 'POSTAL' ORDER BY code LIMIT 1`,
    );
  });

  afterAll(async () => {
    await system?.close();
    await shutdownTracing();
  });

  describe('when a unified dossier query is answered', () => {
    let body: any;
    let spans: ReadableSpan[];
    let root: ReadableSpan;

    beforeAll(async () => {
      ({ body, spans } = await traced(DOSSIER, { code: CODE }));
      root = spans.find((s) => s.kind === SpanKind.SERVER && serviceOf(s) === 'gateway')!;
    });

    it('then the dossier joins the register, transport and postal (what the trace below must show)', () => {
      expect(body.errors).toBeUndefined();
      expect(body.data.dossier.processing.__typename).toBe('TransportProcessing');
      expect(body.data.dossier.shipments.length).toBeGreaterThan(0);
    });

    it('then every span exported belongs to one trace, rooted at the gateway named after the operation', () => {
      expect(root).toBeDefined();
      expect(root.parentSpanContext).toBeUndefined();
      expect(root.name).toBe('query Dossier');
      expect(root.attributes).toMatchObject({ 'graphql.operation.name': 'Dossier', 'graphql.operation.type': 'query', 'http.response.status_code': 200 });
      expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([root.spanContext().traceId]));
    });

    it('then spans come from the gateway and from exactly the subgraphs it used: not police, not industry-trade', () => {
      expect(new Set(spans.map(serviceOf))).toEqual(new Set(['gateway', 'intake', 'transport', 'postal']));
    });

    it.each(['intake', 'transport', 'postal'])('then %s serves under the gateway\'s client span for it, with its resolvers and SQL nested', (name) => {
      const clients = spans.filter((s) => s.kind === SpanKind.CLIENT && s.attributes['subgraph.name'] === name);
      expect(clients.length).toBeGreaterThan(0);
      for (const client of clients) {
        expect(serviceOf(client)).toBe('gateway');
        expect(client.attributes['http.response.status_code']).toBe(200);
        expect(ancestors(client, spans)).toContain(root);
      }
      const servers = spans.filter((s) => s.kind === SpanKind.SERVER && serviceOf(s) === name);
      expect(servers.length).toBe(clients.length);
      for (const server of servers) {
        expect(clients.map((c) => c.spanContext().spanId)).toContain(server.parentSpanContext?.spanId);
        expect(server.name).toMatch(/^query \w+$/);
      }

      const resolvers = spans.filter((s) => serviceOf(s) === name && s.attributes['graphql.field.name'] !== undefined);
      expect(resolvers.map((s) => s.name)).toContain(name === 'intake' ? 'Query.dossier' : 'Query._entities');

      const database = decodeURIComponent(new URL(system.urls[name]).pathname.slice(1));
      const sql = spans.filter((s) => serviceOf(s) === name && s.attributes['db.system'] === 'postgresql');
      expect(sql.length).toBeGreaterThan(0);
      for (const statement of sql) {
        expect(statement.kind).toBe(SpanKind.CLIENT);
        expect(statement.attributes).toMatchObject({ 'db.name': database, 'db.namespace': database, 'db.system.name': 'postgresql' });
        expect(statement.attributes['db.operation.name']).toMatch(/^[A-Z]+$/);
        expect(servers).toContain(ancestors(statement, spans).find((s) => s.kind === SpanKind.SERVER));
      }
      // The statements that read the dossier carry its code as a parameter: the text shows the placeholder.
      expect(sql.some((s) => /\$1\b/.test(String(s.attributes['db.query.text'])))).toBe(true);
      // A root field's own statements nest under its span; its objects' fields resolve after it, under the request.
      if (name === 'intake') {
        const dossier = resolvers.find((r) => r.name === 'Query.dossier')!;
        expect(sql.some((s) => ancestors(s, spans).includes(dossier))).toBe(true);
      }
    });

    it('then no span carries the variables, the document or anything of the answer\'s personal data', () => {
      const applicant = body.data.dossier.applicant;
      const recorded = JSON.stringify(spans.map((s) => [s.name, s.attributes, s.events, s.links]));
      for (const value of [CODE, applicant.fullName, applicant.idNumber, applicant.phone, applicant.address]) {
        expect(typeof value).toBe('string');
        expect(recorded).not.toContain(value);
      }
      expect(recorded).not.toContain('graphql.document');
    });
  });

  it('when a client sends its own traceparent, then the gateway starts its own trace and links the client\'s span', async () => {
    const clientTrace = randomBytes(16).toString('hex');
    const clientSpan = randomBytes(8).toString('hex');
    const { body, spans } = await traced(DOSSIER, { code: CODE }, { traceparent: `00-${clientTrace}-${clientSpan}-01`, tracestate: 'client=secret' });
    expect(body.errors).toBeUndefined();
    const root = spans.find((s) => s.kind === SpanKind.SERVER && serviceOf(s) === 'gateway')!;
    expect(root.parentSpanContext).toBeUndefined();
    expect(root.links.map((l) => [l.context.traceId, l.context.spanId, l.context.traceState])).toEqual([[clientTrace, clientSpan, undefined]]);
    expect(spans.filter((s) => s.spanContext().traceId === clientTrace)).toEqual([]);
    expect(new Set(spans.map(serviceOf))).toEqual(new Set(['gateway', 'intake', 'transport', 'postal']));
  });

  describe('when a subgraph sends SQL outside a request', () => {
    const statement = `SELECT code FROM dossier WHERE channel = 'POSTAL' ORDER BY code LIMIT 1`;
    const within = async (span: Span) => {
      exporter.reset();
      await context.with(trace.setSpan(ROOT_CONTEXT, span), () => system.subgraphs.intake.server.db.query(statement));
      span.end();
      await flushTracing();
      return exporter.getFinishedSpans().filter((s) => s.attributes['db.system'] === 'postgresql');
    };

    it('under an open span, then its statement is traced with the literals written in it replaced', async () => {
      const sql = await within(activeTracer()!.startSpan('job'));
      expect(sql.map((s) => s.attributes['db.query.text'])).toEqual([`SELECT code FROM dossier WHERE channel = ? ORDER BY code LIMIT ?`]);
    });

    it('in the context of a span that has ended (a timer a finished request left behind), then it joins no trace', async () => {
      const finished = activeTracer()!.startSpan('finished request');
      finished.end();
      expect(await within(finished)).toEqual([]);
    });

    it('with no span at all (the outbox polling), then it starts no trace', async () => {
      exporter.reset();
      await system.subgraphs.intake.server.db.query(statement);
      await flushTracing();
      expect(exporter.getFinishedSpans()).toEqual([]);
    });
  });

  describe('when a call straight to a subgraph carries a traceparent', () => {
    const body = JSON.stringify({ query: '{ _service { sdl } }' });
    const traceparent = (flags = '01') => `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-${flags}`;
    const call = (headers: Record<string, string>) =>
      fetch(system.subgraphs.transport.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const signed = (trace: Record<string, string>) =>
      signRequest(devSigningSecret('transport'), { method: 'POST', path: '/graphql', body, identity: STAFF, requestId: randomUUID(), trace });

    it('signed with it, then the subgraph continues that trace', async () => {
      exporter.reset();
      const sent = traceparent();
      const res = await call(signed({ traceparent: sent }));
      expect(res.status).toBe(200);
      await flushTracing();
      const server = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER && serviceOf(s) === 'transport')!;
      const [, traceId, parentId] = sent.split('-');
      expect([server.spanContext().traceId, server.parentSpanContext?.spanId]).toEqual([traceId, parentId]);
    });

    it('altered after signing, then the subgraph refuses the call and traces nothing of it', async () => {
      exporter.reset();
      const headers = signed({ traceparent: traceparent() });
      const res = await call({ ...headers, traceparent: traceparent() });
      expect(res.status).toBe(403);
      await flushTracing();
      expect(exporter.getFinishedSpans()).toEqual([]);
    });
  });
});
