import { generateKeyPairSync } from 'node:crypto';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, parseAllDocuments } from 'yaml';
import { GATEWAY, SECRET_VARS, SUBGRAPH_PLANS } from '../../scripts/deploy/stack';
import { exportHandoverKey } from '../../subgraphs/kit/messaging/handover.keys';
import { loadConfig } from '../../subgraphs/kit/config';
import { ROOT } from './support/compose';

const BASE = join(ROOT, 'deploy/k8s');
const run = promisify(execFile);

type Manifest = { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string> };
type EnvVar = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } };

const manifests: Manifest[] = (parse(readFileSync(join(BASE, 'kustomization.yaml'), 'utf8'), { version: '1.1' }).resources as string[]).flatMap((file) =>
  parseAllDocuments(readFileSync(join(BASE, file), 'utf8'), { version: '1.1' }).map((d) => d.toJS() as Manifest),
);
const of = (kind: string) => manifests.filter((m) => m.kind === kind);
const configMap = (name: string) => of('ConfigMap').find((m) => m.metadata.name === name)!.data!;
const workloads = [...of('Deployment'), ...of('Job')];
const containersOf = (m: Manifest) => m.spec.template.spec.containers as any[];

/**
 * A container's environment as the kubelet builds it: envFrom first, then env in order with $(VAR) expanded
 * from what came before; every secret key stands for a value of the right shape (a hand-over key: an Ed25519 key).
 */
const HANDOVER_PAIR = generateKeyPairSync('ed25519');
function environment(c: any): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) Object.assign(env, configMap(from.configMapRef.name));
  for (const e of c.env as EnvVar[]) {
    const key = e.valueFrom?.secretKeyRef?.key;
    if (key && /_HANDOVER_(PRIVATE|PUBLIC)_KEY$/.test(key)) env[e.name] = exportHandoverKey(HANDOVER_PAIR[key.includes('PRIVATE') ? 'privateKey' : 'publicKey']);
    else if (key) env[e.name] = `secret-${key.toLowerCase()}-0123456789abcdef0123456789`;
    else env[e.name] = (e.value ?? '').replace(/\$\(([A-Z0-9_]+)\)/g, (m, v: string) => env[v] ?? m);
  }
  return env;
}

describe('the Kubernetes base', () => {
  it('when listed, then it has a Deployment and a Service per subgraph and the gateway, the migration Job, and a PDB and an HPA for the gateway', () => {
    const names = (kind: string) => of(kind).map((m) => m.metadata.name).sort();
    const services = [...SUBGRAPH_PLANS.map((s) => s.name), GATEWAY.name].sort();
    expect(names('Deployment')).toEqual(services);
    expect(names('Service')).toEqual(services);
    expect(names('Job')).toEqual(['migrate']);
    expect(of('PodDisruptionBudget').map((m) => m.spec.selector.matchLabels)).toEqual([{ 'app.kubernetes.io/name': GATEWAY.name }]);
    expect(of('HorizontalPodAutoscaler').map((m) => m.spec.scaleTargetRef)).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: GATEWAY.name }]);
    expect(of('Secret')).toEqual([]);
  });

  it("when each container's environment is loaded as production configuration, then it is complete", () => {
    for (const m of workloads) for (const c of containersOf(m)) expect(() => loadConfig(environment(c))).not.toThrow();
  });

  it('when the kubelet probes a container, then liveness asks /healthcheck and readiness /readiness on the port the process listens on, and metrics have their own port', () => {
    for (const m of of('Deployment')) {
      const [c] = containersOf(m);
      const config = loadConfig(environment(c));
      const port = m.metadata.name === GATEWAY.name ? config.gateway.port : config.subgraphs[m.metadata.name].port;
      const named = Object.fromEntries(c.ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]));
      const target = (probe: any) => ({ path: probe.httpGet.path, port: named[probe.httpGet.port] ?? probe.httpGet.port });
      expect({ name: m.metadata.name, liveness: target(c.livenessProbe), readiness: target(c.readinessProbe), metrics: named.metrics }).toEqual({
        name: m.metadata.name,
        liveness: { path: '/healthcheck', port },
        readiness: { path: '/readiness', port },
        metrics: config.metricsPort,
      });
      expect(c.resources.requests).toBeDefined();
      expect(c.resources.limits).toBeDefined();
    }
  });

  it('when the gateway calls a subgraph by the URL in the config, then a Service of that name serves that port', () => {
    const urls = configMap('motcua-graph-config');
    for (const s of SUBGRAPH_PLANS) {
      const url = new URL(urls[`${s.env}_URL`]);
      const service = of('Service').find((m) => m.metadata.name === url.hostname)!;
      expect(service.spec.ports.find((p: any) => p.name === 'http').port).toBe(Number(url.port));
      const deployment = of('Deployment').find((m) => m.metadata.name === url.hostname)!;
      expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    }
  });

  it('when a container needs a secret, then it comes from a Secret by reference; no manifest holds a value of one', () => {
    const secretNames = new Set(SECRET_VARS);
    for (const m of workloads) {
      for (const c of containersOf(m)) {
        for (const e of c.env as EnvVar[]) {
          if (secretNames.has(e.name) || /SECRET|PASSWORD|PRIVATE/.test(e.name)) expect(e).toEqual({ name: e.name, valueFrom: { secretKeyRef: { name: 'motcua-graph-secrets', key: e.name } } });
          // A URL may name a password only as a reference the kubelet fills in from the Secret.
          if (e.value?.startsWith('postgres://')) {
            const password = /^postgres:\/\/[^:@/]+:\$\(([A-Z0-9_]+)\)@/.exec(e.value)?.[1];
            expect((c.env as EnvVar[]).find((v) => v.name === password)?.valueFrom?.secretKeyRef?.key).toBe(password);
          }
        }
      }
    }
    for (const cm of of('ConfigMap')) for (const key of Object.keys(cm.data ?? {})) expect(key).not.toMatch(/SECRET|PASSWORD|PRIVATE/);
  });

  const kubectl = (() => {
    try {
      execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  (kubectl ? it : it.skip)('when kubectl kustomize renders the base, then every manifest is in it', async () => {
    const { stdout } = await run('kubectl', ['kustomize', BASE], { timeout: 60_000 });
    const rendered = parseAllDocuments(stdout).map((d) => d.toJS() as Manifest);
    expect(rendered.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual(manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort());
    for (const m of rendered) expect(m.metadata.labels?.['app.kubernetes.io/part-of']).toBe('motcua-graph');
  });
});
