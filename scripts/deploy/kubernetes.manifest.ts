import {
  AUDIT_KEY_VAR,
  dbPasswordVar,
  DEFAULT_DB_PREFIX,
  GATEWAY,
  GENERATED_NOTE,
  graphqlUrl,
  handoverPrivateKeyVar,
  handoverPublicKeyVar,
  IMAGE,
  MIGRATE_SERVICE,
  PUBLIC_KEY_FILE,
  signingSecretVar,
  SUBGRAPH_PLANS,
  SubgraphPlan,
  TOKEN_ALG,
  yamlText,
} from './stack';

/** Made by the operator from .env, never kept in the repository (see kustomization.yaml). */
export const SECRET_NAME = 'motcua-graph-secrets';
export const AUTH_SECRET_NAME = 'motcua-graph-auth';
export const CONFIG_NAME = 'motcua-graph-config';
const KEY_MOUNT = '/run/secrets/motcua-auth';

type Manifest = Record<string, unknown>;
type EnvVar = { name: string; value?: string; valueFrom?: unknown };

const secretRef = (name: string): EnvVar => ({ name, valueFrom: { secretKeyRef: { name: SECRET_NAME, key: name } } });
const labels = (name: string, component: string) => ({
  'app.kubernetes.io/name': name,
  'app.kubernetes.io/component': component,
});

const config: Manifest = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: CONFIG_NAME },
  data: {
    NODE_ENV: 'production',
    HOST: '0.0.0.0',
    LOG_LEVEL: 'info',
    AUTH_ISSUER: 'motcua-graph',
    AUTH_AUDIENCE: 'motcua-graph',
    AUTH_PUBLIC_KEY_FILE: `${KEY_MOUNT}/${PUBLIC_KEY_FILE}`,
    AUTH_PUBLIC_KEY_ALG: TOKEN_ALG,
    // Readiness fails after 2 probes 5 s apart; endpoints then take a moment to drop the pod: keep accepting till then.
    DRAIN_GRACE_MS: '15000',
    DRAIN_TIMEOUT_MS: '25000',
    // Where the province's PostgreSQL is (a managed service or an operator's cluster, outside this base).
    POSTGRES_HOST: 'postgres',
    POSTGRES_PORT: '5432',
    ...Object.fromEntries(SUBGRAPH_PLANS.map((s) => [`${s.env}_URL`, graphqlUrl(s.name, s.port)])),
  },
};

/** Its own role's password from the Secret, then the URL built from it ($(VAR) is expanded by the kubelet). */
const databaseEnv = (s: SubgraphPlan): EnvVar[] => {
  const name = `${DEFAULT_DB_PREFIX}${s.dbSuffix}`;
  return [
    secretRef(dbPasswordVar(s)),
    { name: `${s.env}_DATABASE_URL`, value: `postgres://${name}:$(${dbPasswordVar(s)})@$(POSTGRES_HOST):$(POSTGRES_PORT)/${name}` },
  ];
};

const security = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};

function container(name: string, command: string[], env: EnvVar[], ports?: { port: number; metricsPort: number }) {
  return {
    name,
    image: IMAGE,
    command,
    envFrom: [{ configMapRef: { name: CONFIG_NAME } }],
    env,
    ...(ports && {
      ports: [
        { name: 'http', containerPort: ports.port },
        { name: 'metrics', containerPort: ports.metricsPort },
      ],
      // Liveness restarts a process that no longer serves; readiness takes it out of the Service while it
      // cannot do its job (database away, migrations pending, draining).
      startupProbe: { httpGet: { path: '/healthcheck', port: 'http' }, periodSeconds: 2, failureThreshold: 30 },
      livenessProbe: { httpGet: { path: '/healthcheck', port: 'http' }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
      readinessProbe: { httpGet: { path: '/readiness', port: 'http' }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 2 },
    }),
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
    securityContext: security,
    volumeMounts: [
      { name: 'auth', mountPath: KEY_MOUNT, readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  };
}

function podSpec(c: ReturnType<typeof container>, extra: Manifest = {}) {
  return {
    ...extra,
    // Longer than DRAIN_TIMEOUT_MS (25 s, the 15 s grace included): in-flight requests finish before the kubelet kills it.
    terminationGracePeriodSeconds: 35,
    securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 },
    containers: [c],
    volumes: [
      { name: 'auth', secret: { secretName: AUTH_SECRET_NAME } },
      { name: 'tmp', emptyDir: {} },
    ],
  };
}

function deployment(name: string, component: string, replicas: number, c: ReturnType<typeof container>, metricsPort: number): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: labels(name, component) },
    spec: {
      replicas,
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels: labels(name, component),
          annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(metricsPort), 'prometheus.io/path': '/metrics' },
        },
        spec: podSpec(c),
      },
    },
  };
}

function service(name: string, component: string, port: number, metricsPort: number): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: labels(name, component) },
    spec: {
      selector: { 'app.kubernetes.io/name': name },
      ports: [
        { name: 'http', port, targetPort: 'http' },
        { name: 'metrics', port: metricsPort, targetPort: 'metrics' },
      ],
    },
  };
}

function subgraphManifests(s: SubgraphPlan): Manifest[] {
  const env: EnvVar[] = [
    { name: `${s.env}_PORT`, value: String(s.port) },
    { name: 'METRICS_PORT', value: String(s.metricsPort) },
    ...databaseEnv(s),
    secretRef(signingSecretVar(s)),
    secretRef(handoverPrivateKeyVar(s)),
    ...SUBGRAPH_PLANS.filter((p) => p !== s).map((p) => secretRef(handoverPublicKeyVar(p))),
    secretRef(AUDIT_KEY_VAR),
  ];
  const c = container(s.name, ['node', 'dist/subgraphs/serve.js', s.name], env, s);
  return [deployment(s.name, 'subgraph', 2, c, s.metricsPort), service(s.name, 'subgraph', s.port, s.metricsPort)];
}

function gatewayManifests(): Manifest[] {
  const env: EnvVar[] = [
    { name: 'PORT', value: String(GATEWAY.port) },
    { name: 'METRICS_PORT', value: String(GATEWAY.metricsPort) },
    ...SUBGRAPH_PLANS.map((s) => secretRef(signingSecretVar(s))),
  ];
  const c = container(GATEWAY.name, ['node', 'dist/gateway/main.js'], env, GATEWAY);
  const selector = { matchLabels: { 'app.kubernetes.io/name': GATEWAY.name } };
  return [
    deployment(GATEWAY.name, 'gateway', 2, c, GATEWAY.metricsPort),
    service(GATEWAY.name, 'gateway', GATEWAY.port, GATEWAY.metricsPort),
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: GATEWAY.name },
      spec: { minAvailable: 1, selector },
    },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: GATEWAY.name },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: GATEWAY.name },
        minReplicas: 2,
        maxReplicas: 8,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      },
    },
  ];
}

/**
 * One run per release: the subgraphs do not migrate at start in production, and each one's readiness stays 503
 * until its migrations are applied, so new pods take traffic only after this Job. Delete and re-apply it to rerun.
 */
function migrateJob(): Manifest {
  const env = SUBGRAPH_PLANS.flatMap(databaseEnv);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: MIGRATE_SERVICE, labels: labels(MIGRATE_SERVICE, 'migration') },
    spec: {
      backoffLimit: 6,
      ttlSecondsAfterFinished: 86_400,
      template: {
        metadata: { labels: labels(MIGRATE_SERVICE, 'migration') },
        spec: podSpec(container(MIGRATE_SERVICE, ['node', 'dist/scripts/migrate.js'], env), { restartPolicy: 'OnFailure' }),
      },
    },
  };
}

const yamlDocs = (manifests: Manifest[]) => `# ${GENERATED_NOTE}\n${manifests.map((m) => yamlText(m)).join('---\n')}`;

/** File name (under deploy/k8s/) to content. */
export function kubernetesFiles(): Record<string, string> {
  const files: Record<string, string> = {
    'config.yaml': yamlDocs([config]),
    'migrate.yaml': yamlDocs([migrateJob()]),
    ...Object.fromEntries(SUBGRAPH_PLANS.map((s) => [`${s.name}.yaml`, yamlDocs(subgraphManifests(s))])),
    'gateway.yaml': yamlDocs(gatewayManifests()),
  };
  const kustomization = yamlText(
    {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      labels: [{ pairs: { 'app.kubernetes.io/part-of': 'motcua-graph' } }],
      resources: Object.keys(files),
    },
    [
      ` ${GENERATED_NOTE}`,
      ' A kustomize base; an overlay sets the image (images: - name: motcua-graph newName: …), the namespace,',
      ' POSTGRES_HOST and an Ingress. The Secrets are referenced, never kept here; make them from `npm run compose:env`:',
      `   kubectl create secret generic ${SECRET_NAME} --from-env-file=.env`,
      `   kubectl create secret generic ${AUTH_SECRET_NAME} --from-file=.secrets/${PUBLIC_KEY_FILE}`,
      ' and create the roles and databases once with docker/postgres-init.sh (as the superuser, with <NAME>_DB_USER,',
      ` <NAME>_DB_NAME = ${DEFAULT_DB_PREFIX}<name> and the passwords from .env in its environment).`,
    ].join('\n'),
  );
  return { 'kustomization.yaml': kustomization, ...files };
}
