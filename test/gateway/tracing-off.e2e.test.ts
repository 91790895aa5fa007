import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { loadConfig } from '../../subgraphs/kit/config';
import { activeTracer, ATTR_MOTCUA_SERVICE, flushTracing, initTracing, installTracing, shutdownTracing } from '../../subgraphs/kit/telemetry/tracing';
import { startSystem, TestSystem } from '../support/system';

const DOSSIER = `
  query Dossier($code: String!) {
    dossier(code: $code) {
      code receivedAt applicant { fullName idNumber }
      processing { __typename status history { status at } }
      shipments { trackingNumber direction events { status at } }
    }
  }`;

/**
 * Tracing off, as a deployment without OTEL_EXPORTER_OTLP_ENDPOINT has it, then on in the same process: the
 * answers are the same. (test/ops/tracing.e2e.test.ts switches it by the variable in real processes.)
 */
describe('the graph with tracing off, then on', () => {
  let system: TestSystem;
  let code: string;
  let answerWithoutTracing: unknown;

  beforeAll(async () => {
    system = await startSystem();
    [{ code }] = await system.subgraphs.intake.server.db.query(
      `SELECT code FROM dossier WHERE processing_system = 'transport' AND channel = 'POSTAL' ORDER BY code LIMIT 1`,
    );
  });

  afterAll(async () => {
    await system?.close();
    await shutdownTracing();
  });

  it('when the endpoint is not set, then no tracer provider is installed and the dossier answers', async () => {
    initTracing('gateway', loadConfig({}).otlpEndpoint);
    answerWithoutTracing = await system.query(DOSSIER, { code });
    expect(answerWithoutTracing).toMatchObject({ data: { dossier: { code, processing: { __typename: 'TransportProcessing' } } } });
    expect(activeTracer()).toBeUndefined();
    // What @apollo/gateway and anything else reaching for the global API get: spans that record nothing.
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
  });

  it('when tracing is then installed, then the same query answers exactly the same and its spans are recorded', async () => {
    const exporter = new InMemorySpanExporter();
    installTracing('gateway', exporter);
    const answer = await system.query(DOSSIER, { code });
    expect(answerWithoutTracing).toBeDefined();
    expect(answer).toEqual(answerWithoutTracing);
    await flushTracing();
    expect(new Set(exporter.getFinishedSpans().map((s) => s.attributes[ATTR_MOTCUA_SERVICE]))).toEqual(new Set(['gateway', 'intake', 'transport', 'postal']));
  });
});
