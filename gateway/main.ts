import 'reflect-metadata';
import { loadConfig, requireSigningSecret } from '../subgraphs/kit/config';
import { createLogger } from '../subgraphs/kit/logger';
import { runService } from '../subgraphs/kit/service';
import { createGateway } from './gateway';
import { loadTrustedDocuments } from './trusted-documents/trusted-documents';
import { initTracing } from '../subgraphs/kit/telemetry/tracing';

/** The gateway process: node dist/gateway/main.js */
runService('gateway', async () => {
  const config = loadConfig();
  initTracing('gateway', config.otlpEndpoint);
  const log = createLogger('gateway', config.logLevel);
  const urls = Object.fromEntries(Object.values(config.subgraphs).map((s) => [s.name, s.url]));
  const secrets = Object.fromEntries(Object.values(config.subgraphs).map((s) => [s.name, requireSigningSecret(config, s.name)]));
  const tls = Object.fromEntries(Object.values(config.subgraphs).flatMap((s) => (s.clientTls ? [[s.name, s.clientTls]] : [])));
  const server = await createGateway({
    subgraphUrls: urls,
    signingSecrets: secrets,
    subgraphTls: tls,
    auth: config.auth,
    production: config.env === 'production',
    resilience: config.gateway.resilience,
    rateLimitPerMinute: config.gateway.rateLimitPerMinute,
    trustedProxies: config.gateway.trustedProxies,
    corsOrigins: config.gateway.corsOrigins,
    dashboard: config.gateway.dashboard,
    reportCache: config.gateway.reportCache,
    trustedDocuments: loadTrustedDocuments(config.gateway.trustedDocuments.files, config.gateway.trustedDocuments.enforcedClients),
    rateLimits: config.gateway.rateLimits,
    redisUrl: config.redisUrl,
    persistedQueries: config.persistedQueries,
    supergraph: config.gateway.supergraph,
    metricsOnPublicPort: config.metricsPort === undefined,
    processMetrics: true,
    log,
  });
  const l = await server.listen(config.gateway.port, config.host);
  log.info({ url: l.url }, 'gateway ready');
  return { service: server, options: { drainTimeoutMs: config.drainTimeoutMs, drainGraceMs: config.drainGraceMs, metricsPort: config.metricsPort, host: config.host } };
});
