import { z } from 'zod';
import { SUBGRAPHS, databaseName, envPrefix } from '../registry';
import type { Peers } from './messaging/outbox';

export class ConfigError extends Error {}

export interface SubgraphConfig {
  name: string;
  port: number;
  databaseUrl: string | undefined;
  /** Where the gateway reaches it. */
  url: string;
  /** Shared by the gateway and this subgraph only: signs every request between them. */
  signingSecret: string;
  /** Verifies hand-overs other subgraphs deliver to this one. */
  handoverSecret: string;
}

export interface AuthConfig {
  issuer: string;
  audience: string;
  jwksUrl?: string;
  publicKeyFile?: string;
  publicKeyAlgorithm: string;
  /** HS256, development only: refused in production. */
  devSecret?: string;
}

export interface SupergraphConfig {
  /** Polled for a new supergraph when set; otherwise the file is watched. */
  url?: string;
  file?: string;
  pollMs: number;
}

export interface Config {
  env: 'development' | 'test' | 'production';
  logLevel: string;
  host: string;
  /** Where the gateway listens, and how long it waits for a subgraph's answer to one call. */
  gateway: { port: number; subgraphTimeoutMs: number; supergraph: SupergraphConfig };
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
  auth: AuthConfig;
  subgraphs: Record<string, SubgraphConfig>;
}

/** The port /metrics defaults to in production: the OpenTelemetry/Prometheus exporter convention. */
export const DEFAULT_METRICS_PORT = 9464;

/** Known to everyone who reads this code: usable only outside production. */
export const DEV_JWT_SECRET = 'motcua-graph-development-only-jwt-secret-0001';
export const devSigningSecret = (name: string) => `motcua-graph-development-only-signing-secret-${name}`;
export const devHandoverSecret = (name: string) => `motcua-graph-development-only-handover-secret-${name}`;
const secret = z.string().min(32, 'must be at least 32 characters').optional();

const port = z.coerce.number().int().min(0).max(65535);
const pgUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL')
  .optional();
const httpUrl = z.url({ protocol: /^https?$/ }).optional();

/** Reads and validates the environment once; the message names every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const shape: Record<string, z.ZodType> = {
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: port.default(4000),
    SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
    DATABASE_URL: pgUrl,
    AUTH_ISSUER: z.string().min(1).default('motcua-graph'),
    AUTH_AUDIENCE: z.string().min(1).default('motcua-graph'),
    AUTH_JWKS_URL: httpUrl,
    AUTH_PUBLIC_KEY_FILE: z.string().min(1).optional(),
    AUTH_PUBLIC_KEY_ALG: z.enum(['RS256', 'PS256', 'ES256', 'EdDSA']).default('RS256'),
    AUTH_DEV_SECRET: secret,
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
    shape[`${p}_HANDOVER_SECRET`] = secret;
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
  const subgraphs: Record<string, SubgraphConfig> = {};
  for (const s of SUBGRAPHS) {
    const p = envPrefix(s.name);
    const subgraphPort = v[`${p}_PORT`] as number;
    subgraphs[s.name] = {
      name: s.name,
      port: subgraphPort,
      databaseUrl: v[`${p}_DATABASE_URL`] ?? (v.DATABASE_URL ? withDatabase(v.DATABASE_URL, databaseName(s.name)) : undefined),
      url: v[`${p}_URL`] ?? `http://127.0.0.1:${subgraphPort}/graphql`,
      signingSecret: v[`${p}_SIGNING_SECRET`] ?? (production ? '' : devSigningSecret(s.name)),
      handoverSecret: v[`${p}_HANDOVER_SECRET`] ?? (production ? '' : devHandoverSecret(s.name)),
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
  };
  return {
    env: v.NODE_ENV,
    logLevel: v.LOG_LEVEL,
    host: v.HOST,
    gateway: {
      port: v.PORT,
      subgraphTimeoutMs: v.SUBGRAPH_TIMEOUT_MS,
      supergraph: { url: v.SUPERGRAPH_URL, file: v.SUPERGRAPH_FILE, pollMs: v.SUPERGRAPH_POLL_MS },
    },
    metricsPort: v.METRICS_PORT ?? (production ? DEFAULT_METRICS_PORT : undefined),
    drainTimeoutMs: v.DRAIN_TIMEOUT_MS,
    drainGraceMs: Math.min(v.DRAIN_GRACE_MS, v.DRAIN_TIMEOUT_MS),
    migrateAtStart: v.MIGRATE_AT_START ? v.MIGRATE_AT_START === 'true' : !production,
    otlpEndpoint: v.OTEL_EXPORTER_OTLP_ENDPOINT,
    auth,
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

/** Where and how this process delivers hand-overs to the other subgraphs. */
export function peersOf(config: Config): Peers {
  return {
    baseUrl: (name) => config.subgraphs[name]?.url.replace(/\/graphql$/, ''),
    secret: (name) => {
      const secret = config.subgraphs[name]?.handoverSecret;
      if (!secret) throw new ConfigError(`${envPrefix(name)}_HANDOVER_SECRET is required in production`);
      return secret;
    },
  };
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
