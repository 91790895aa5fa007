import 'reflect-metadata';
import { loadConfig, peersOf, requireAuditKey, requireDatabaseUrl, requireHandoverKeys, requireSigningSecret } from './kit/config';
import { AUDIT_CHECKPOINT_MS } from './kit/audit/audit-checkpoint';
import { ACCESS_SHIPPING_MS } from './kit/audit/access-shipping';
import { createLogger } from './kit/logger';
import { createSubgraphServer } from './kit/server';
import { runService } from './kit/service';
import { subgraph } from './registry';
import { initTracing } from './kit/telemetry/tracing';

/** One subgraph process: node dist/subgraphs/serve.js <name> */
const name = process.argv[2] ?? '';
runService(name || 'subgraph', async () => {
  const entry = subgraph(name);
  const config = loadConfig();
  initTracing(name, config.otlpEndpoint);
  const log = createLogger(name, config.logLevel);
  const server = await createSubgraphServer(await entry.load(), {
    databaseUrl: requireDatabaseUrl(config, name),
    signingSecret: requireSigningSecret(config, name),
    handoverPublicKeyOf: requireHandoverKeys(config, name).publicKeyOf,
    peers: peersOf(config),
    log,
    migrate: config.migrateAtStart,
    metricsOnPublicPort: config.metricsPort === undefined,
    processMetrics: true,
    handover: config.handover,
    redisUrl: config.redisUrl,
    auditKey: requireAuditKey(config),
    auditCheckpointMs: AUDIT_CHECKPOINT_MS,
    accessShippingMs: ACCESS_SHIPPING_MS,
    tls: config.subgraphs[name].serverTls,
  });
  const l = await server.listen(config.subgraphs[name].port, config.host);
  server.outbox.start();
  log.info({ url: l.url }, 'subgraph ready');
  return { service: server, options: { drainTimeoutMs: config.drainTimeoutMs, drainGraceMs: config.drainGraceMs, metricsPort: config.metricsPort, host: config.host } };
});
