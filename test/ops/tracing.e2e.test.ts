import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { devSigningSecret } from '../../subgraphs/kit/config';
import { signRequest } from '../../subgraphs/kit/signing';
import { envPrefix, SUBGRAPHS } from '../../subgraphs/registry';
import { demoDatabaseUrls, STAFF } from '../support/system';
import { freePort, until } from '../support/waiting';

/**
 * A subgraph process as deployed (node dist/subgraphs/serve.js: build first), traced or not by
 * OTEL_EXPORTER_OTLP_ENDPOINT alone, exporting over OTLP/HTTP to a collector on this machine.
 */
const SERVE = join(__dirname, '../../dist/subgraphs/serve.js');

interface Export {
  path: string;
  contentType: string;
  body: any;
}

interface OtlpSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Record<string, unknown>;
}

function spansIn(exports: Export[]): OtlpSpan[] {
  const value = (v: any) => v.stringValue ?? v.intValue ?? v.boolValue ?? v.doubleValue;
  return exports.flatMap((e) =>
    e.body.resourceSpans.flatMap((rs: any) => {
      const service = value(rs.resource.attributes.find((a: any) => a.key === 'service.name').value);
      return rs.scopeSpans.flatMap((ss: any) =>
        ss.spans.map((s: any) => ({
          service,
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId ?? '',
          name: s.name,
          attributes: Object.fromEntries(s.attributes.map((a: any) => [a.key, value(a.value)])),
        })),
      );
    }),
  );
}

describe('a subgraph process and OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  const received: Export[] = [];
  let collector: Server;
  let endpoint: string;
  let dossierCode: string;
  const answers: unknown[] = [];

  /** Starts transport on the demo database (peers unreachable, so it delivers nothing), makes one signed call, stops it with SIGTERM. */
  async function callOnce(extraEnv: Record<string, string>, traceparent: string): Promise<{ answer: unknown; exit: unknown }> {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', MIGRATE_AT_START: 'false', ...extraEnv };
    for (const key of ['DATABASE_URL', 'METRICS_PORT', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'NODE_ENV']) if (!(key in extraEnv)) delete env[key];
    for (const s of SUBGRAPHS) env[`${envPrefix(s.name)}_URL`] = 'http://127.0.0.1:1/graphql';
    env.TRANSPORT_PORT = String(port);
    env.TRANSPORT_DATABASE_URL = demoDatabaseUrls().transport;
    const child: ChildProcess = spawn(process.execPath, [SERVE, 'transport'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = once(child, 'exit');
    try {
      const base = `http://127.0.0.1:${port}`;
      await until('transport to serve', () => child.exitCode === null && fetch(`${base}/healthcheck`).then((r) => r.ok, () => false));
      const body = JSON.stringify({
        query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on TransportProcessing { dossierCode status history { status at } } } }',
        variables: { r: [{ __typename: 'TransportProcessing', dossierCode }] },
      });
      const headers = signRequest(devSigningSecret('transport'), { method: 'POST', path: '/graphql', body, identity: STAFF, requestId: randomUUID(), trace: { traceparent } });
      const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      const answer = await res.json();
      child.kill('SIGTERM');
      const [code, signal] = await exited;
      return { answer, exit: { code, signal, stderr } };
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }

  const newTraceparent = () => `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;

  beforeAll(async () => {
    if (!existsSync(SERVE)) throw new Error(`${SERVE} is missing: run npm run -s build first`);
    collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url!, contentType: req.headers['content-type']!, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    const db = new Client({ connectionString: demoDatabaseUrls().transport });
    await db.connect();
    try {
      dossierCode = (await db.query('SELECT dossier_code FROM processing ORDER BY dossier_code LIMIT 1')).rows[0].dossier_code;
    } finally {
      await db.end();
    }
  });

  afterAll(() => new Promise((resolve) => collector?.close(resolve)));

  it('when it is not set, then the process exports nothing, answers, and stops cleanly', async () => {
    const { answer, exit } = await callOnce({}, newTraceparent());
    expect(exit).toEqual({ code: 0, signal: null, stderr: '' });
    expect(answer).toMatchObject({ data: { _entities: [{ dossierCode }] } });
    answers.push(answer);
    expect(received).toEqual([]);
  });

  it('when it is set, then the same answer, and by the time it stops its spans reached the collector, continuing the caller\'s trace', async () => {
    const traceparent = newTraceparent();
    const [, traceId, parentSpanId] = traceparent.split('-');
    const { answer, exit } = await callOnce({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }, traceparent);
    expect(exit).toEqual({ code: 0, signal: null, stderr: '' });
    expect(answers).toHaveLength(1);
    expect(answer).toEqual(answers[0]);

    expect(received.length).toBeGreaterThan(0);
    for (const e of received) expect([e.path, e.contentType]).toEqual(['/v1/traces', 'application/json']);
    const spans = spansIn(received);
    expect(new Set(spans.map((s) => [s.service, s.traceId].join(' ')))).toEqual(new Set([`transport ${traceId}`]));
    const server = spans.find((s) => s.parentSpanId === parentSpanId)!;
    expect(server.name).toMatch(/^query/);
    expect(server.attributes['motcua.service']).toBe('transport');
    const sql = spans.filter((s) => s.attributes['db.system'] === 'postgresql');
    expect(sql.length).toBeGreaterThan(0);
    expect(JSON.stringify(spans)).not.toContain(dossierCode);
  });
});
