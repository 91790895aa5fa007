import { z } from 'zod';
import { SUBGRAPHS, databaseName, envPrefix } from '../registry';
import type { KeyObject } from 'node:crypto';
import { devHandoverKeys, parseHandoverKey, sameKey } from './messaging/handover.keys';
import type { Peers } from './messaging/outbox';
import { ROLES, type Role } from './identity';
import { trustedProxies } from './trusted-proxies';
import { corsOrigins, DEVELOPMENT_CORS_ORIGINS } from './cors-origins';
import { join } from 'node:path';
import { PROJECT_ROOT } from './paths';
import { subgraphTls, SubgraphClientTls, SubgraphServerTls, TLS_VARIABLES } from './tls/tls.config';
import { tlsAgent } from './tls/tls.agent';
import type { Dispatcher } from 'undici';

export class ConfigError extends Error {}

export interface SubgraphConfig {
  name: string;
  port: number;
  databaseUrl: string | undefined;
  /** Where the gateway reaches it. */
  url: string;
  /** Shared by the gateway and this subgraph only: signs every request between them. */
  signingSecret: string;
  /** Signs the hand-overs this subgraph delivers: configured for the subgraph's own processes only. */
  handoverPrivateKey?: KeyObject;
  /** Verifies the hand-overs this subgraph delivers to the others. */
  handoverPublicKey?: KeyObject;
  /** How the gateway reaches it over mutual TLS, for an https `url` (<NAME>_TLS_CA, <NAME>_TLS_CERT, <NAME>_TLS_KEY). */
  clientTls?: SubgraphClientTls;
  /** HTTPS it serves, refusing callers without a client certificate (<NAME>_TLS_SERVER_CERT, _SERVER_KEY, _CLIENT_CA). */
  serverTls?: SubgraphServerTls;
}

export interface AuthConfig {
  issuer: string;
  audience: string;
  jwksUrl?: string;
  publicKeyFile?: string;
  publicKeyAlgorithm: string;
  /** HS256, development only: refused in production. */
  devSecret?: string;
  /** A token issued longer ago than this is refused whatever its expiry (AUTH_MAX_TOKEN_AGE_HOURS). */
  maxTokenAgeSeconds: number;
}

export interface SupergraphConfig {
  /** Polled for a new supergraph when set; otherwise the file is watched. */
  url?: string;
  file?: string;
  pollMs: number;
}

/** How the gateway calls subgraphs when they are slow or down. */
export interface ResilienceConfig {
  /** Time to open a connection to a subgraph (SUBGRAPH_CONNECT_TIMEOUT_MS). */
  connectTimeoutMs: number;
  /** Time for one query call, connect included (SUBGRAPH_TIMEOUT_MS; <NAME>_TIMEOUT_MS per subgraph). */
  queryTimeoutMs: number;
  /** Time for one mutation call (SUBGRAPH_MUTATION_TIMEOUT_MS): a mutation is never retried, so it gets longer. */
  mutationTimeoutMs: number;
  /** Per-subgraph query timeouts, by registry name, where set. */
  timeoutMsBySubgraph: Record<string, number>;
  /** The whole client request (REQUEST_DEADLINE_MS): each subgraph call gets only what is left of it. */
  deadlineMs: number;
  /** Retries of a query call on a connection error or 502/503/504 (SUBGRAPH_RETRIES, 0 to 2). */
  retries: number;
  /** Consecutive failures or timeouts that open a subgraph's circuit (CIRCUIT_FAILURES). */
  circuitFailures: number;
  /** How long an open circuit fails calls at once before its first half-open probe (CIRCUIT_FIRST_PROBE_MS). */
  circuitFirstProbeMs: number;
  /** The longest wait between half-open probes, each failed one doubling it (CIRCUIT_HALF_OPEN_AFTER_MS). */
  circuitHalfOpenAfterMs: number;
}

/** How a subgraph delivers its outbox. */
export interface HandoverConfig {
  /** Messages in flight at once per destination (HANDOVER_CONCURRENCY). */
  concurrency: number;
  /** Time for one delivery (HANDOVER_TIMEOUT_MS). */
  timeoutMs: number;
  /** The longest wait between two attempts (HANDOVER_BACKOFF_MAX_MS): a receiver back gets its backlog within a minute. */
  backoffMaxMs: number;
  /** Attempts after which a message is dead-lettered (HANDOVER_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** Age after which an undelivered message is dead-lettered (HANDOVER_MAX_AGE_HOURS). */
  maxAgeMs: number;
}

export const DEFAULT_HANDOVER: HandoverConfig = {
  concurrency: 4,
  timeoutMs: 5_000,
  backoffMaxMs: 30_000,
  maxAttempts: 25,
  maxAgeMs: 72 * 3_600_000,
};

export const DEFAULT_RESILIENCE: ResilienceConfig = {
  connectTimeoutMs: 2_000,
  queryTimeoutMs: 10_000,
  mutationTimeoutMs: 30_000,
  timeoutMsBySubgraph: {},
  deadlineMs: 15_000,
  retries: 1,
  circuitFailures: 5,
  circuitFirstProbeMs: 500,
  circuitHalfOpenAfterMs: 5_000,
};

export interface Config {
  env: 'development' | 'test' | 'production';
  logLevel: string;
  host: string;
  /** Where the gateway listens, and how it calls subgraphs. */
  gateway: {
    port: number;
    resilience: ResilienceConfig;
    supergraph: SupergraphConfig;
    rateLimitPerMinute: number;
    rateLimits: { perRole: Partial<Record<Role, number>>; receiptPerMinute: number };
    /** TRUSTED_PROXIES: the load balancers whose X-Forwarded-For names the client whom the limits count. */
    trustedProxies: string[];
    /** CORS_ORIGINS: browser origins allowed to call it; outside production, this machine's on any port by default. */
    corsOrigins: string[];
    /**
     * TRUSTED_DOCUMENTS_FILES: manifests of persisted documents (hash → document), the dashboard's by default;
     * TRUSTED_DOCUMENTS_CLIENTS: the clients (x-graphql-client-name) that may send only those; in production the
     * dashboard by default, none elsewhere.
     */
    trustedDocuments: { files: string[]; enforcedClients: string[] };
    /**
     * Reports over closed months kept in memory until a system revises one (REPORT_CACHE_ENTRIES, 0 turns it off;
     * REPORT_CACHE_TTL_SECONDS, at most).
     */
    reportCache: { maxEntries: number; ttlMs: number };
    /**
     * The report builders' dashboard at /dashboard/: its sign-in through the province's OpenID Connect provider
     * (DASHBOARD_OIDC_AUTHORITY, DASHBOARD_OIDC_CLIENT_ID, DASHBOARD_OIDC_SCOPE), and outside production a field
     * that takes a pasted token.
     */
    dashboard: DashboardConfig;
  };
  /**
   * Shared state of the replicas of a service (replay nonces, rate-limit counters) when set (REDIS_URL); otherwise a
   * subgraph keeps it in its own database and the gateway in its process.
   */
  redisUrl?: string;
  handover: HandoverConfig;
  /**
   * Where /metrics is served, apart from the public port (a scraper needs no route through the load balancer,
   * and clients cannot read it). Unset outside production: /metrics is on the public port.
   */
  metricsPort?: number;
  /** How long a process stopping on SIGTERM lets its in-flight requests finish. */
  drainTimeoutMs: number;
  /**
   * How long, of that, it still accepts requests while its readiness says 503: at least the time a load balancer
   * takes to see the probe fail (Kubernetes: readiness period x failure threshold, plus endpoint propagation).
   */
  drainGraceMs: number;
  /** Whether a subgraph applies pending migrations when it starts; in production `npm run migrate` does. */
  migrateAtStart: boolean;
  /** OTLP/HTTP endpoint for traces; tracing is off without it. */
  otlpEndpoint?: string;
  /** Automatic persisted queries at the gateway (PERSISTED_QUERIES=true); off: anyone could fill its cache. */
  persistedQueries: boolean;
  auth: AuthConfig;
  /** The HMAC key of every audit chain (AUDIT_KEY): kept out of the databases; set explicitly in production. */
  auditKey?: string;
  subgraphs: Record<string, SubgraphConfig>;
}

/**
 * Rate limits, requests a minute (0: none). By default only anonymous callers are limited: each address to
 * DEFAULT_ANONYMOUS_PER_MINUTE in production, and to DEFAULT_RECEIPT_PER_MINUTE receipt lookups everywhere. Every
 * caller (RATE_LIMIT_PER_MINUTE) and each role's callers (RATE_LIMIT_<ROLE>_PER_MINUTE) only when set.
 */
export const DEFAULT_ANONYMOUS_PER_MINUTE = 1_200;
export const DEFAULT_RECEIPT_PER_MINUTE = 20;
const RATE_LIMITED_ROLES: readonly Role[] = [...ROLES, 'ANONYMOUS'];

/** The port /metrics defaults to in production: the OpenTelemetry/Prometheus exporter convention. */
export const DEFAULT_METRICS_PORT = 9464;

/** Known to everyone who reads this code: usable only outside production. */
export const DEV_JWT_SECRET = 'motcua-graph-development-only-jwt-secret-0001';
export const DEV_AUDIT_KEY = 'motcua-graph-development-only-audit-key-00001';
export const devSigningSecret = (name: string) => `motcua-graph-development-only-signing-secret-${name}`;
const secret = z
  .string()
  .refine((s) => Buffer.byteLength(s) >= 32, 'must be at least 32 bytes')
  .optional();

/** Every secret this code publishes: a production process given one would trust anyone who has read it. */
const DEVELOPMENT_SECRETS = new Set([DEV_JWT_SECRET, DEV_AUDIT_KEY, ...SUBGRAPHS.map((s) => devSigningSecret(s.name))]);

const port = z.coerce.number().int().min(0).max(65535);
const list = (text: string) => text.split(',').map((e) => e.trim()).filter(Boolean);
/** The persisted documents the dashboard's build writes (dashboard/codegen). */
const DASHBOARD_DOCUMENTS = join(PROJECT_ROOT, 'dashboard', 'src', 'gql', 'persisted-documents.json');
/** The dashboard's x-graphql-client-name (dashboard/src/graphql.ts). */
export const DASHBOARD_CLIENT = 'motcua-dashboard';

export interface DashboardConfig {
  oidc: { authority: string; clientId: string; scope: string } | null;
  devSignIn: boolean;
}
const pgUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL')
  .optional();
const httpUrl = z.url({ protocol: /^https?$/ }).optional();
const ms = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Reads and validates the environment once; the message names every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const shape: Record<string, z.ZodType> = {
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: port.default(4000),
    SUBGRAPH_TIMEOUT_MS: ms(100, 600_000).default(DEFAULT_RESILIENCE.queryTimeoutMs),
    SUBGRAPH_CONNECT_TIMEOUT_MS: ms(50, 60_000).default(DEFAULT_RESILIENCE.connectTimeoutMs),
    SUBGRAPH_MUTATION_TIMEOUT_MS: ms(100, 600_000).default(DEFAULT_RESILIENCE.mutationTimeoutMs),
    REQUEST_DEADLINE_MS: ms(100, 600_000).default(DEFAULT_RESILIENCE.deadlineMs),
    SUBGRAPH_RETRIES: z.coerce.number().int().min(0).max(2).default(DEFAULT_RESILIENCE.retries),
    CIRCUIT_FAILURES: z.coerce.number().int().min(1).max(1000).default(DEFAULT_RESILIENCE.circuitFailures),
    CIRCUIT_FIRST_PROBE_MS: ms(50, 600_000).default(DEFAULT_RESILIENCE.circuitFirstProbeMs),
    CIRCUIT_HALF_OPEN_AFTER_MS: ms(100, 600_000).default(DEFAULT_RESILIENCE.circuitHalfOpenAfterMs),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).optional(),
    RATE_LIMIT_RECEIPT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(DEFAULT_RECEIPT_PER_MINUTE),
    ...Object.fromEntries(RATE_LIMITED_ROLES.map((r) => [`RATE_LIMIT_${r}_PER_MINUTE`, z.coerce.number().int().min(0).max(1_000_000).optional()])),
    TRUSTED_PROXIES: z
      .string()
      .optional()
      .transform((text) => (text ?? '').split(',').map((e) => e.trim()).filter(Boolean))
      .superRefine((entries, ctx) => {
        try {
          trustedProxies(entries);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: (e as Error).message });
        }
      }),
    CORS_ORIGINS: z
      .string()
      .optional()
      .transform((text) => (text === undefined ? undefined : text.split(',').map((e) => e.trim()).filter(Boolean)))
      .superRefine((entries, ctx) => {
        try {
          corsOrigins(entries ?? []);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: (e as Error).message });
        }
      }),
    TRUSTED_DOCUMENTS_FILES: z.string().optional().transform((text) => (text === undefined ? undefined : list(text))),
    TRUSTED_DOCUMENTS_CLIENTS: z.string().optional().transform((text) => (text === undefined ? undefined : list(text))),
    DASHBOARD_OIDC_AUTHORITY: httpUrl,
    DASHBOARD_OIDC_CLIENT_ID: z.string().min(1).max(200).optional(),
    DASHBOARD_OIDC_SCOPE: z.string().min(1).max(500).default('openid profile'),
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
    REPORT_CACHE_ENTRIES: z.coerce.number().int().min(0).max(100_000).default(500),
    REPORT_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
    HANDOVER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(DEFAULT_HANDOVER.concurrency),
    HANDOVER_TIMEOUT_MS: ms(100, 600_000).default(DEFAULT_HANDOVER.timeoutMs),
    HANDOVER_BACKOFF_MAX_MS: ms(100, 3_600_000).default(DEFAULT_HANDOVER.backoffMaxMs),
    HANDOVER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100_000).default(DEFAULT_HANDOVER.maxAttempts),
    HANDOVER_MAX_AGE_HOURS: z.coerce.number().min(0.01).max(24 * 365).default(DEFAULT_HANDOVER.maxAgeMs / 3_600_000),
    DATABASE_URL: pgUrl,
    AUTH_ISSUER: z.string().min(1).default('motcua-graph'),
    AUTH_AUDIENCE: z.string().min(1).default('motcua-graph'),
    AUTH_JWKS_URL: httpUrl,
    AUTH_PUBLIC_KEY_FILE: z.string().min(1).optional(),
    AUTH_PUBLIC_KEY_ALG: z.enum(['RS256', 'PS256', 'ES256', 'EdDSA']).default('RS256'),
    AUTH_DEV_SECRET: secret,
    AUTH_MAX_TOKEN_AGE_HOURS: z.coerce.number().min(0.01).max(24 * 30).default(12),
    PERSISTED_QUERIES: z.enum(['true', 'false']).default('false'),
    AUDIT_KEY: secret,
    METRICS_PORT: port.optional(),
    DRAIN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
    DRAIN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(1_000),
    MIGRATE_AT_START: z.enum(['true', 'false']).optional(),
    SUPERGRAPH_URL: httpUrl,
    SUPERGRAPH_FILE: z.string().min(1).optional(),
    SUPERGRAPH_POLL_MS: z.coerce.number().int().min(1000).max(3_600_000).default(10_000),
    OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl,
  };
  for (const s of SUBGRAPHS) {
    const p = envPrefix(s.name);
    shape[`${p}_PORT`] = port.default(s.port);
    shape[`${p}_DATABASE_URL`] = pgUrl;
    shape[`${p}_URL`] = httpUrl;
    shape[`${p}_SIGNING_SECRET`] = secret;
    shape[`${p}_HANDOVER_PRIVATE_KEY`] = z.string().min(1).optional();
    shape[`${p}_HANDOVER_PUBLIC_KEY`] = z.string().min(1).optional();
    shape[`${p}_TIMEOUT_MS`] = ms(100, 600_000).optional();
    for (const suffix of TLS_VARIABLES) shape[`${p}_${suffix}`] = z.string().min(1).optional();
  }
  const parsed = z.object(shape).safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const v = parsed.data as Record<string, any>;
  const production = v.NODE_ENV === 'production';
  const missing: string[] = [];
  if (production && !v.AUTH_JWKS_URL && !v.AUTH_PUBLIC_KEY_FILE) missing.push('AUTH_JWKS_URL or AUTH_PUBLIC_KEY_FILE (required in production)');
  if (production && v.AUTH_DEV_SECRET) missing.push('AUTH_DEV_SECRET: not allowed in production');
  if (!v.DASHBOARD_OIDC_AUTHORITY !== !v.DASHBOARD_OIDC_CLIENT_ID) missing.push(v.DASHBOARD_OIDC_AUTHORITY ? 'DASHBOARD_OIDC_CLIENT_ID (DASHBOARD_OIDC_AUTHORITY is set)' : 'DASHBOARD_OIDC_AUTHORITY (DASHBOARD_OIDC_CLIENT_ID is set)');
  if (production) for (const name of Object.keys(shape)) if (DEVELOPMENT_SECRETS.has(v[name])) missing.push(`${name}: a development secret, published with the code`);
  if (production && v.AUDIT_KEY === DEV_AUDIT_KEY) missing.push('AUDIT_KEY: the development key is not allowed in production');
  const subgraphs: Record<string, SubgraphConfig> = {};
  const timeoutMsBySubgraph: Record<string, number> = {};
  for (const s of SUBGRAPHS) {
    const p = envPrefix(s.name);
    if (v[`${p}_TIMEOUT_MS`] !== undefined) timeoutMsBySubgraph[s.name] = v[`${p}_TIMEOUT_MS`];
    const subgraphPort = v[`${p}_PORT`] as number;
    const url: string = v[`${p}_URL`] ?? `http://127.0.0.1:${subgraphPort}/graphql`;
    subgraphs[s.name] = {
      name: s.name,
      port: subgraphPort,
      databaseUrl: v[`${p}_DATABASE_URL`] ?? (v.DATABASE_URL ? withDatabase(v.DATABASE_URL, databaseName(s.name)) : undefined),
      url,
      signingSecret: v[`${p}_SIGNING_SECRET`] ?? (production ? '' : devSigningSecret(s.name)),
      ...handoverKeys(s.name, v, production, missing),
      ...subgraphTls(p, v, url, missing),
    };
  }
  if (missing.length) throw new ConfigError(`invalid configuration: ${missing.join('; ')}`);
  const auth: AuthConfig = {
    issuer: v.AUTH_ISSUER,
    audience: v.AUTH_AUDIENCE,
    jwksUrl: v.AUTH_JWKS_URL,
    publicKeyFile: v.AUTH_PUBLIC_KEY_FILE,
    publicKeyAlgorithm: v.AUTH_PUBLIC_KEY_ALG,
    devSecret: production ? undefined : (v.AUTH_DEV_SECRET ?? (v.AUTH_JWKS_URL || v.AUTH_PUBLIC_KEY_FILE ? undefined : DEV_JWT_SECRET)),
    maxTokenAgeSeconds: Math.round(v.AUTH_MAX_TOKEN_AGE_HOURS * 3_600),
  };
  return {
    env: v.NODE_ENV,
    logLevel: v.LOG_LEVEL,
    host: v.HOST,
    gateway: {
      port: v.PORT,
      resilience: {
        connectTimeoutMs: v.SUBGRAPH_CONNECT_TIMEOUT_MS,
        queryTimeoutMs: v.SUBGRAPH_TIMEOUT_MS,
        mutationTimeoutMs: v.SUBGRAPH_MUTATION_TIMEOUT_MS,
        timeoutMsBySubgraph,
        deadlineMs: v.REQUEST_DEADLINE_MS,
        retries: v.SUBGRAPH_RETRIES,
        circuitFailures: v.CIRCUIT_FAILURES,
        circuitFirstProbeMs: Math.min(v.CIRCUIT_FIRST_PROBE_MS, v.CIRCUIT_HALF_OPEN_AFTER_MS),
        circuitHalfOpenAfterMs: v.CIRCUIT_HALF_OPEN_AFTER_MS,
      },
      supergraph: { url: v.SUPERGRAPH_URL, file: v.SUPERGRAPH_FILE, pollMs: v.SUPERGRAPH_POLL_MS },
      // Authenticated callers only when asked: tests and benches drive one identity far harder than a person would.
      rateLimitPerMinute: v.RATE_LIMIT_PER_MINUTE ?? 0,
      rateLimits: {
        perRole: Object.fromEntries(
          RATE_LIMITED_ROLES.map((r) => [r, v[`RATE_LIMIT_${r}_PER_MINUTE`] ?? (r === 'ANONYMOUS' && production ? DEFAULT_ANONYMOUS_PER_MINUTE : 0)]),
        ),
        receiptPerMinute: v.RATE_LIMIT_RECEIPT_PER_MINUTE,
      },
      trustedProxies: v.TRUSTED_PROXIES,
      corsOrigins: v.CORS_ORIGINS ?? (production ? [] : DEVELOPMENT_CORS_ORIGINS),
      reportCache: { maxEntries: v.REPORT_CACHE_ENTRIES, ttlMs: v.REPORT_CACHE_TTL_SECONDS * 1000 },
      trustedDocuments: { files: v.TRUSTED_DOCUMENTS_FILES ?? [DASHBOARD_DOCUMENTS], enforcedClients: v.TRUSTED_DOCUMENTS_CLIENTS ?? (production ? [DASHBOARD_CLIENT] : []) },
      dashboard: {
        oidc: v.DASHBOARD_OIDC_AUTHORITY && v.DASHBOARD_OIDC_CLIENT_ID ? { authority: v.DASHBOARD_OIDC_AUTHORITY, clientId: v.DASHBOARD_OIDC_CLIENT_ID, scope: v.DASHBOARD_OIDC_SCOPE } : null,
        devSignIn: !production,
      },
    },
    redisUrl: v.REDIS_URL,
    handover: {
      concurrency: v.HANDOVER_CONCURRENCY,
      timeoutMs: v.HANDOVER_TIMEOUT_MS,
      backoffMaxMs: v.HANDOVER_BACKOFF_MAX_MS,
      maxAttempts: v.HANDOVER_MAX_ATTEMPTS,
      maxAgeMs: Math.round(v.HANDOVER_MAX_AGE_HOURS * 3_600_000),
    },
    metricsPort: v.METRICS_PORT ?? (production ? DEFAULT_METRICS_PORT : undefined),
    drainTimeoutMs: v.DRAIN_TIMEOUT_MS,
    drainGraceMs: Math.min(v.DRAIN_GRACE_MS, v.DRAIN_TIMEOUT_MS),
    migrateAtStart: v.MIGRATE_AT_START ? v.MIGRATE_AT_START === 'true' : !production,
    otlpEndpoint: v.OTEL_EXPORTER_OTLP_ENDPOINT,
    persistedQueries: v.PERSISTED_QUERIES === 'true',
    auth,
    auditKey: v.AUDIT_KEY ?? (production ? undefined : DEV_AUDIT_KEY),
    subgraphs,
  };
}

/** The database URL a subgraph must have to start; names the variables that would give it. */
export function requireDatabaseUrl(config: Config, name: string): string {
  const url = config.subgraphs[name]?.databaseUrl;
  if (!url) throw new ConfigError(`no database for ${name}: set DATABASE_URL or ${envPrefix(name)}_DATABASE_URL`);
  return url;
}

/** The same server with another database name. */
export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** The secret a process needs to sign or verify calls to a subgraph; set explicitly in production. */
export function requireSigningSecret(config: Config, name: string): string {
  const secret = config.subgraphs[name]?.signingSecret;
  if (!secret) throw new ConfigError(`${envPrefix(name)}_SIGNING_SECRET is required in production`);
  return secret;
}

/** The key a subgraph seals its audit chain with, and audit:verify checks it with; set explicitly in production. */
export function requireAuditKey(config: Config): string {
  if (!config.auditKey) throw new ConfigError('AUDIT_KEY is required in production');
  return config.auditKey;
}

/** Where and how this process delivers hand-overs to the other subgraphs. */
export function peersOf(config: Config): Peers {
  const agents = new Map<string, Dispatcher>();
  return {
    baseUrl: (name) => config.subgraphs[name]?.url.replace(/\/graphql$/, ''),
    dispatcher: (name) => {
      const tls = config.subgraphs[name]?.clientTls;
      if (!tls) return undefined;
      if (!agents.has(name)) agents.set(name, tlsAgent(tls));
      return agents.get(name);
    },
    privateKey: (name) => {
      const key = config.subgraphs[name]?.handoverPrivateKey;
      if (!key) throw new ConfigError(`${envPrefix(name)}_HANDOVER_PRIVATE_KEY is required in production`);
      return key;
    },
  };
}

/**
 * Hand-over keys: each system signs with its own Ed25519 private key (<NAME>_HANDOVER_PRIVATE_KEY, set for its own
 * processes only) and the others verify with its public key (<NAME>_HANDOVER_PUBLIC_KEY); PEM or base64 DER.
 * Outside production an unset key is the system's development pair (devHandoverKeys); production has no default
 * and refuses the development pair.
 */
function handoverKeys(name: string, v: Record<string, any>, production: boolean, problems: string[]): Pick<SubgraphConfig, 'handoverPrivateKey' | 'handoverPublicKey'> {
  const dev = devHandoverKeys(name);
  const read = (kind: 'private' | 'public'): KeyObject | undefined => {
    const variable = `${envPrefix(name)}_HANDOVER_${kind.toUpperCase()}_KEY`;
    const text = v[variable] as string | undefined;
    if (text === undefined) return production ? undefined : dev[`${kind}Key`];
    try {
      const key = parseHandoverKey(text, kind);
      if (production && sameKey(key, dev[`${kind}Key`])) {
        problems.push(`${variable}: the development key, not allowed in production`);
      }
      return key;
    } catch {
      problems.push(`${variable}: not an Ed25519 ${kind} key (PEM, or base64 of its DER)`);
      return undefined;
    }
  };
  return { handoverPrivateKey: read('private'), handoverPublicKey: read('public') };
}

/** What subgraph `name` needs to hand over and be handed over to; names every key production lacks. */
export function requireHandoverKeys(config: Config, name: string): { privateKey: KeyObject; publicKeyOf: (sender: string) => KeyObject | undefined } {
  const privateKey = config.subgraphs[name]?.handoverPrivateKey;
  const senders = SUBGRAPHS.filter((s) => s.name !== name).map((s) => s.name);
  const missing = [
    ...(privateKey ? [] : [`${envPrefix(name)}_HANDOVER_PRIVATE_KEY`]),
    ...senders.filter((s) => !config.subgraphs[s]?.handoverPublicKey).map((s) => `${envPrefix(s)}_HANDOVER_PUBLIC_KEY`),
  ];
  if (missing.length || !privateKey) throw new ConfigError(`${missing.join(', ')} required in production`);
  return { privateKey, publicKeyOf: (sender) => (senders.includes(sender) ? config.subgraphs[sender].handoverPublicKey : undefined) };
}

/** A URL safe to print: no password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}
