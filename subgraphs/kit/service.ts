import type { Registry } from 'prom-client';
import { Listenable, listen } from './http';
import { metricsHandler } from './telemetry/metrics';
import { shutdownTracing } from './telemetry/tracing';

export interface ServiceOptions {
  /** How long in-flight requests may take to finish once SIGTERM arrives. */
  drainTimeoutMs: number;
  /** Of that, how long requests are still accepted while readiness says 503. */
  drainGraceMs: number;
  /** Where /metrics is served apart from the public port, when set. */
  metricsPort?: number;
  host: string;
}

/**
 * Runs a long-lived service: one clear line and a non-zero exit when it cannot start (no stack for a
 * configuration or database problem); on SIGTERM or SIGINT it drains (readiness 503, in-flight requests
 * finish), closes and exits 0.
 */
export function runService(name: string, start: () => Promise<{ service: Listenable & { registry: Registry }; options: ServiceOptions }>): void {
  // Listened for from the first moment: a SIGTERM or a supervisor gone while the service still connects or
  // migrates stops it as soon as it is up, instead of killing it mid-start or leaving it orphaned on its port.
  let stopping = false;
  let stop = () => void (stopping = true);
  const request = () => stop();
  process.on('SIGINT', request);
  process.on('SIGTERM', request);
  // Forked by npm start: a supervisor that dies, even by SIGKILL, leaves no service running behind it.
  if (typeof process.send === 'function') {
    if (!process.connected) stopping = true;
    process.on('disconnect', request);
  }
  start()
    .then(async ({ service, options }) => {
      const metrics = options.metricsPort === undefined ? undefined : await listen(metricsHandler(service.registry), options.metricsPort, options.host, '/metrics');
      let stopped = false;
      stop = () => {
        if (stopped) return;
        stopped = true;
        service
          .drain(options.drainTimeoutMs, options.drainGraceMs)
          .then(() => Promise.all([service.close(), metrics?.close(), shutdownTracing()]))
          .then(
            () => process.exit(0),
            () => process.exit(1),
          );
      };
      if (stopping) stop();
    })
    .catch((e: unknown) => {
      console.error(`${name}: cannot start: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    });
}
