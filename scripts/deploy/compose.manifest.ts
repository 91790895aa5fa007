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
  KEY_DIR,
  MIGRATE_SERVICE,
  POSTGRES_PASSWORD_VAR,
  POSTGRES_SERVICE,
  PUBLIC_KEY_FILE,
  readinessProbeCommand,
  SEED_SERVICE,
  signingSecretVar,
  SUBGRAPH_PLANS,
  SubgraphPlan,
  TOKEN_ALG,
  yamlText,
} from './stack';

/** Where the postgres service finds the init script, relative to the compose file. */
export const POSTGRES_INIT_SCRIPT = 'docker/postgres-init.sh';
const PUBLIC_KEY_SECRET = 'auth_public_key';
const MISSING = 'run npm run compose:env first';

const required = (name: string) => `\${${name}:?${MISSING}}`;
const dbName = (s: SubgraphPlan) => `\${MOTCUA_DB_PREFIX:-${DEFAULT_DB_PREFIX}}${s.dbSuffix}`;
const databaseUrl = (s: SubgraphPlan) =>
  `postgres://${dbName(s)}:${required(dbPasswordVar(s))}@${POSTGRES_SERVICE}:5432/${dbName(s)}`;

type Env = Record<string, string>;
const each = (entry: (s: SubgraphPlan) => [string, string]): Env => Object.fromEntries(SUBGRAPH_PLANS.map(entry));

/**
 * What every process of ours reads. The production configuration asks every process for the token key, so each
 * mounts the public key (it is not a secret); only the gateway verifies tokens with it.
 */
const common: Env = {
  NODE_ENV: 'production',
  HOST: '0.0.0.0',
  LOG_LEVEL: '${LOG_LEVEL:-info}',
  AUTH_ISSUER: '${AUTH_ISSUER:-motcua-graph}',
  AUTH_AUDIENCE: '${AUTH_AUDIENCE:-motcua-graph}',
  AUTH_PUBLIC_KEY_FILE: `/run/secrets/${PUBLIC_KEY_SECRET}`,
  AUTH_PUBLIC_KEY_ALG: TOKEN_ALG,
};
const subgraphUrls = each((s) => [`${s.env}_URL`, graphqlUrl(s.name, s.port)]);
const databaseUrls = each((s) => [`${s.env}_DATABASE_URL`, databaseUrl(s)]);

const healthcheck = (port: number) => ({
  test: ['CMD', ...readinessProbeCommand(port)],
  interval: '10s',
  timeout: '3s',
  retries: 6,
  start_period: '30s',
});

const ours = (command: string[], environment: Env, depends_on: Record<string, { condition: string }>) => ({
  image: IMAGE,
  build: '.',
  restart: 'unless-stopped',
  // Docker's default of 10 s would kill a drain (DRAIN_TIMEOUT_MS, 10 s) before it ends.
  stop_grace_period: '20s',
  command,
  environment: { ...common, ...environment },
  secrets: [PUBLIC_KEY_SECRET],
  depends_on,
});

const healthy = { condition: 'service_healthy' };
const migrated = { [POSTGRES_SERVICE]: healthy, [MIGRATE_SERVICE]: { condition: 'service_completed_successfully' } };

function subgraphService(s: SubgraphPlan) {
  return {
    ...ours(
      ['node', 'dist/subgraphs/serve.js', s.name],
      {
        [`${s.env}_PORT`]: String(s.port),
        METRICS_PORT: String(s.metricsPort),
        [`${s.env}_DATABASE_URL`]: databaseUrl(s),
        // Its own call-signing secret and hand-over private key; the others' public keys verify what they deliver.
        [signingSecretVar(s)]: required(signingSecretVar(s)),
        [handoverPrivateKeyVar(s)]: required(handoverPrivateKeyVar(s)),
        ...Object.fromEntries(SUBGRAPH_PLANS.filter((p) => p !== s).map((p) => [handoverPublicKeyVar(p), required(handoverPublicKeyVar(p))])),
        [AUDIT_KEY_VAR]: required(AUDIT_KEY_VAR),
        ...subgraphUrls,
      },
      migrated,
    ),
    healthcheck: healthcheck(s.port),
  };
}

export function composeFile(): string {
  const services: Record<string, unknown> = {
    [POSTGRES_SERVICE]: {
      image: 'postgres:17',
      restart: 'unless-stopped',
      environment: {
        [POSTGRES_PASSWORD_VAR]: required(POSTGRES_PASSWORD_VAR),
        ...Object.fromEntries(
          SUBGRAPH_PLANS.flatMap((s) => [
            [`${s.env}_DB_NAME`, dbName(s)],
            [`${s.env}_DB_USER`, dbName(s)],
            [dbPasswordVar(s), required(dbPasswordVar(s))],
          ]),
        ),
      },
      volumes: ['pgdata:/var/lib/postgresql/data', `./${POSTGRES_INIT_SCRIPT}:/docker-entrypoint-initdb.d/10-roles.sh:ro`],
      // Over TCP: during initialisation the image's temporary server listens on its socket only.
      healthcheck: { test: ['CMD', 'pg_isready', '-h', '127.0.0.1', '-U', 'postgres'], interval: '5s', timeout: '3s', retries: 20 },
    },
    [MIGRATE_SERVICE]: {
      ...ours(['node', 'dist/scripts/migrate.js'], databaseUrls, { [POSTGRES_SERVICE]: healthy }),
      restart: 'no',
    },
    ...Object.fromEntries(SUBGRAPH_PLANS.map((s) => [s.name, subgraphService(s)])),
    [GATEWAY.name]: {
      ...ours(
        ['node', 'dist/gateway/main.js'],
        {
          PORT: String(GATEWAY.port),
          METRICS_PORT: String(GATEWAY.metricsPort),
          ...subgraphUrls,
          ...each((s) => [signingSecretVar(s), required(signingSecretVar(s))]),
        },
        Object.fromEntries(SUBGRAPH_PLANS.map((s) => [s.name, healthy])),
      ),
      ports: [`\${GATEWAY_PORT:-${GATEWAY.port}}:${GATEWAY.port}`],
      healthcheck: healthcheck(GATEWAY.port),
    },
    [SEED_SERVICE]: {
      ...ours(['node', 'dist/scripts/seed.js'], databaseUrls, migrated),
      restart: 'no',
      profiles: [SEED_SERVICE],
    },
  };
  return yamlText(
    {
      services,
      volumes: { pgdata: {} },
      secrets: { [PUBLIC_KEY_SECRET]: { file: `./${KEY_DIR}/${PUBLIC_KEY_FILE}` } },
    },
    [
      ` ${GENERATED_NOTE}`,
      " The whole system in containers: one PostgreSQL holding each subgraph's own database (its own role owns it),",
      ' the migration step, the subgraphs and the gateway. `npm run compose:env` writes .env and the token keys;',
      ' then `docker compose up -d`, and `docker compose run --rm seed` for the demo data.',
    ].join('\n'),
  );
}
