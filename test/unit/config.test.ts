import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEV_AUDIT_KEY, DEV_JWT_SECRET, devSigningSecret, loadConfig, requireAuditKey, requireDatabaseUrl, requireSigningSecret } from '../../subgraphs/kit/config';
import { processingTypeFor, SUBGRAPHS } from '../../subgraphs/registry';

/** What loadConfig refused, by variable. */
function refused(env: NodeJS.ProcessEnv): Record<string, string> {
  let error: unknown;
  try {
    loadConfig(env);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const problems = (error as Error).message.replace(/^invalid configuration: /, '').split('; ');
  return Object.fromEntries(problems.map((p) => [p.slice(0, p.indexOf(':')), p.slice(p.indexOf(':') + 2)]));
}

describe('configuration', () => {
  it('when DATABASE_URL names a server, then each subgraph gets its own motcua_<name> database on it', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u@db:5432/ignored' });
    expect(c.subgraphs['industry-trade'].databaseUrl).toBe('postgres://u@db:5432/motcua_industry_trade');
    expect(c.subgraphs.intake.databaseUrl).toBe('postgres://u@db:5432/motcua_intake');
  });

  it('when <NAME>_DATABASE_URL is set, then that subgraph uses it', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u@db/x', POLICE_DATABASE_URL: 'postgres://p@police-db/police' });
    expect(c.subgraphs.police.databaseUrl).toBe('postgres://p@police-db/police');
  });

  it('when nothing is set, then ports default to 4000 and 4001-4005', () => {
    const c = loadConfig({});
    expect(c.gateway.port).toBe(4000);
    expect(SUBGRAPHS.map((s) => c.subgraphs[s.name].port)).toEqual([4001, 4002, 4003, 4004, 4005]);
  });

  it('when SUBGRAPH_TIMEOUT_MS is set, then the gateway waits that long for a query call; 10 s otherwise; below 100 ms is refused', () => {
    expect(loadConfig({}).gateway.resilience.queryTimeoutMs).toBe(10_000);
    expect(loadConfig({ SUBGRAPH_TIMEOUT_MS: '5000' }).gateway.resilience.queryTimeoutMs).toBe(5000);
    expect(() => loadConfig({ SUBGRAPH_TIMEOUT_MS: '10' })).toThrow(/SUBGRAPH_TIMEOUT_MS/);
  });

  it('when TRUSTED_PROXIES lists addresses and blocks, then the gateway trusts them; none by default; a bad entry is refused by name', () => {
    expect(loadConfig({}).gateway.trustedProxies).toEqual([]);
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1,::1' }).gateway.trustedProxies).toEqual(['10.0.0.0/8', '127.0.0.1', '::1']);
    expect(() => loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8,haproxy' })).toThrow('TRUSTED_PROXIES: not an IP address or CIDR block: haproxy');
    expect(() => loadConfig({ TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow('TRUSTED_PROXIES: not an IP address or CIDR block: 10.0.0.0/33');
  });

  it('when <NAME>_TIMEOUT_MS is set, then that subgraph alone gets its own query timeout', () => {
    const c = loadConfig({ POLICE_TIMEOUT_MS: '3000', INDUSTRY_TRADE_TIMEOUT_MS: '20000' });
    expect(c.gateway.resilience.timeoutMsBySubgraph).toEqual({ police: 3000, 'industry-trade': 20000 });
    expect(() => loadConfig({ TRANSPORT_TIMEOUT_MS: 'soon' })).toThrow(/TRANSPORT_TIMEOUT_MS/);
  });

  it('when the resilience and hand-over variables are bad, then each is named', () => {
    for (const name of ['SUBGRAPH_CONNECT_TIMEOUT_MS', 'REQUEST_DEADLINE_MS', 'CIRCUIT_HALF_OPEN_AFTER_MS', 'HANDOVER_TIMEOUT_MS', 'HANDOVER_BACKOFF_MAX_MS']) {
      expect(() => loadConfig({ [name]: '1' })).toThrow(new RegExp(`${name}:`));
    }
    expect(() => loadConfig({ SUBGRAPH_RETRIES: '3' })).toThrow(/SUBGRAPH_RETRIES:/);
    expect(() => loadConfig({ CIRCUIT_FAILURES: '0' })).toThrow(/CIRCUIT_FAILURES:/);
    expect(() => loadConfig({ HANDOVER_CONCURRENCY: '0' })).toThrow(/HANDOVER_CONCURRENCY:/);
    expect(() => loadConfig({ HANDOVER_MAX_ATTEMPTS: '0' })).toThrow(/HANDOVER_MAX_ATTEMPTS:/);
    expect(() => loadConfig({ REDIS_URL: 'http://127.0.0.1:6379' })).toThrow(/REDIS_URL:/);
  });

  it('when no rate limit is set, then only anonymous callers are limited: receipt lookups to 20 a minute, and in production every call to 1200', () => {
    const production = loadConfig({ NODE_ENV: 'production', AUTH_PUBLIC_KEY_FILE: '/k.pem' }).gateway;
    expect(production.rateLimitPerMinute).toBe(0);
    expect(production.rateLimits).toEqual({
      perRole: { CENTRE_STAFF: 0, CENTRE_ADMIN: 0, DEPARTMENT_OFFICER: 0, REPORT_BUILDER: 0, CITIZEN: 0, SERVICE: 0, ANONYMOUS: 1200 },
      receiptPerMinute: 20,
    });
    expect(loadConfig({}).gateway.rateLimitPerMinute).toBe(0);
    expect(loadConfig({}).gateway.rateLimits.perRole.ANONYMOUS).toBe(0);
    expect(loadConfig({}).gateway.rateLimits.receiptPerMinute).toBe(20);
  });

  it('when rate limits are set per role, for the receipt or for every caller, then those hold', () => {
    const set = loadConfig({ RATE_LIMIT_PER_MINUTE: '60', RATE_LIMIT_CITIZEN_PER_MINUTE: '30', RATE_LIMIT_RECEIPT_PER_MINUTE: '5' }).gateway;
    expect(set.rateLimitPerMinute).toBe(60);
    expect(set.rateLimits.perRole.CITIZEN).toBe(30);
    expect(set.rateLimits.perRole.SERVICE).toBe(0);
    expect(set.rateLimits.receiptPerMinute).toBe(5);
    expect(() => loadConfig({ RATE_LIMIT_SERVICE_PER_MINUTE: '-1' })).toThrow(/RATE_LIMIT_SERVICE_PER_MINUTE:/);
  });

  it('when variables are invalid, then the error names each of them, and only them', () => {
    const named = (env: NodeJS.ProcessEnv) => Object.keys(refused(env)).sort();
    expect(named({ PORT: 'eighty', TRANSPORT_DATABASE_URL: 'mysql://x', POSTAL_PORT: '70000' })).toEqual(['PORT', 'POSTAL_PORT', 'TRANSPORT_DATABASE_URL']);
    expect(named({ METRICS_PORT: '-1', DRAIN_TIMEOUT_MS: 'soon', MIGRATE_AT_START: 'yes' })).toEqual(['DRAIN_TIMEOUT_MS', 'METRICS_PORT', 'MIGRATE_AT_START']);
    expect(named({ SUPERGRAPH_URL: 'ftp://x/supergraph', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toEqual(['OTEL_EXPORTER_OTLP_ENDPOINT', 'SUPERGRAPH_URL']);
  });

  it('when nothing says otherwise, then outside production subgraphs migrate at start and /metrics is on the public port; in production neither', () => {
    const dev = loadConfig({});
    expect([dev.migrateAtStart, dev.metricsPort, dev.drainTimeoutMs, dev.drainGraceMs]).toEqual([true, undefined, 10_000, 1_000]);
    expect(loadConfig({ DRAIN_TIMEOUT_MS: '500', DRAIN_GRACE_MS: '5000' }).drainGraceMs).toBe(500);
    const prod = loadConfig({ NODE_ENV: 'production', AUTH_JWKS_URL: 'https://idp.example/jwks' });
    expect([prod.migrateAtStart, prod.metricsPort]).toEqual([false, 9464]);
    expect(loadConfig({ NODE_ENV: 'production', AUTH_JWKS_URL: 'https://idp.example/jwks', MIGRATE_AT_START: 'true', METRICS_PORT: '9100' })).toMatchObject({ migrateAtStart: true, metricsPort: 9100 });
  });

  describe('in production', () => {
    const PRODUCTION = { NODE_ENV: 'production', AUTH_JWKS_URL: 'https://idp.example/jwks' };
    const strong = 'k'.repeat(32);

    it('when a development secret is set explicitly, under its own name or another, then the start is refused naming the variable', () => {
      expect(() => loadConfig({ ...PRODUCTION, POLICE_SIGNING_SECRET: devSigningSecret('police') })).toThrow(/POLICE_SIGNING_SECRET: a development secret/);
      expect(() => loadConfig({ ...PRODUCTION, AUDIT_KEY: DEV_AUDIT_KEY })).toThrow(/AUDIT_KEY: a development secret/);
      expect(() => loadConfig({ ...PRODUCTION, POSTAL_SIGNING_SECRET: devSigningSecret('transport') })).toThrow(/POSTAL_SIGNING_SECRET: a development secret/);
      expect(() => loadConfig({ ...PRODUCTION, TRANSPORT_SIGNING_SECRET: DEV_JWT_SECRET })).toThrow(/TRANSPORT_SIGNING_SECRET: a development secret/);
      expect(() => loadConfig({ ...PRODUCTION, AUTH_DEV_SECRET: DEV_JWT_SECRET })).toThrow(/AUTH_DEV_SECRET/);
      expect(loadConfig({ ...PRODUCTION, POLICE_SIGNING_SECRET: strong }).subgraphs.police.signingSecret).toBe(strong);
    });

    it('when a secret is shorter than 32 bytes, then it is refused by name, in every environment', () => {
      expect(() => loadConfig({ ...PRODUCTION, INTAKE_SIGNING_SECRET: 'k'.repeat(31) })).toThrow(/INTAKE_SIGNING_SECRET: must be at least 32 bytes/);
      expect(() => loadConfig({ AUDIT_KEY: 'short' })).toThrow(/AUDIT_KEY: must be at least 32 bytes/);
      expect(loadConfig({ ...PRODUCTION, INTAKE_SIGNING_SECRET: 'k'.repeat(32) }).subgraphs.intake.signingSecret).toHaveLength(32);
    });

    it('when no key verifies tokens, then the start is refused naming the variables to set; the development key is never used', () => {
      expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/AUTH_JWKS_URL or AUTH_PUBLIC_KEY_FILE/);
      expect(loadConfig(PRODUCTION).auth.devSecret).toBeUndefined();
    });
  });

  it('when development secrets are set outside production, then they are used', () => {
    expect(loadConfig({ POLICE_SIGNING_SECRET: devSigningSecret('police') }).subgraphs.police.signingSecret).toBe(devSigningSecret('police'));
  });

  it('when AUTH_MAX_TOKEN_AGE_HOURS is not set, then tokens live 12 hours at most; set, it is read, and a bad one is named', () => {
    expect(loadConfig({}).auth.maxTokenAgeSeconds).toBe(12 * 3600);
    expect(loadConfig({ AUTH_MAX_TOKEN_AGE_HOURS: '0.5' }).auth.maxTokenAgeSeconds).toBe(1800);
    expect(() => loadConfig({ AUTH_MAX_TOKEN_AGE_HOURS: 'forever' })).toThrow(/AUTH_MAX_TOKEN_AGE_HOURS:/);
  });

  it('when PERSISTED_QUERIES is not set to true, then automatic persisted queries are off', () => {
    expect(loadConfig({}).persistedQueries).toBe(false);
    expect(loadConfig({ PERSISTED_QUERIES: 'true' }).persistedQueries).toBe(true);
    expect(() => loadConfig({ PERSISTED_QUERIES: 'yes' })).toThrow(/PERSISTED_QUERIES:/);
  });

  it('when no database is configured, then starting a subgraph names the variables to set', () => {
    expect(() => requireDatabaseUrl(loadConfig({}), 'postal')).toThrow(/DATABASE_URL or POSTAL_DATABASE_URL/);
  });
});

describe('routing by value', () => {
  it('when a department has its own system, then its processing type names that system', () => {
    expect(processingTypeFor('transport')).toBe('TransportProcessing');
    expect(processingTypeFor('industry-trade')).toBe('IndustryTradeProcessing');
  });

  it('when a department works in the one-stop system, then the type is OneStopProcessing', () => {
    expect(processingTypeFor(null)).toBe('OneStopProcessing');
  });

  it('when a system is not in the registry, then routing refuses', () => {
    expect(() => processingTypeFor('customs')).toThrow(/registry/);
  });
});

describe('production configuration', () => {
  it('when production has no token keys, then start-up fails naming them', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/AUTH_JWKS_URL or AUTH_PUBLIC_KEY_FILE/);
  });

  it('when production is given the development secret, then start-up fails', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', AUTH_JWKS_URL: 'https://idp.example/jwks', AUTH_DEV_SECRET: 'x'.repeat(40) })).toThrow(/AUTH_DEV_SECRET/);
  });

  it('when a production subgraph has no signing secret, then it cannot start, and no development default is used', () => {
    const c = loadConfig({ NODE_ENV: 'production', AUTH_JWKS_URL: 'https://idp.example/jwks', POLICE_SIGNING_SECRET: 's'.repeat(32) });
    expect(requireSigningSecret(c, 'police')).toBe('s'.repeat(32));
    expect(() => requireSigningSecret(c, 'transport')).toThrow(/TRANSPORT_SIGNING_SECRET/);
    expect(c.auth.devSecret).toBeUndefined();
  });

  it('when a production subgraph has no audit key or the development one, then it cannot start; elsewhere the development key seals', () => {
    const idp = { NODE_ENV: 'production', AUTH_JWKS_URL: 'https://idp.example/jwks' };
    expect(() => requireAuditKey(loadConfig(idp))).toThrow(/AUDIT_KEY is required in production/);
    expect(() => loadConfig({ ...idp, AUDIT_KEY: DEV_AUDIT_KEY })).toThrow(/AUDIT_KEY: the development key/);
    expect(requireAuditKey(loadConfig({ ...idp, AUDIT_KEY: 'k'.repeat(32) }))).toBe('k'.repeat(32));
    expect(requireAuditKey(loadConfig({}))).toBe(DEV_AUDIT_KEY);
  });

  it('when a signing secret is short, then it is refused', () => {
    expect(() => loadConfig({ INTAKE_SIGNING_SECRET: 'short' })).toThrow(/INTAKE_SIGNING_SECRET/);
  });
});

describe('mutual TLS to a subgraph', () => {
  const dir = mkdtempSync(join(tmpdir(), 'motcua-config-tls-'));
  const file = (name: string) => join(dir, name);
  const HTTPS = 'https://police.example:8443/graphql';


  beforeAll(() => {
    for (const name of ['ca', 'other']) {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', `/CN=${name}`,
        '-keyout', file(`${name}.key`), '-out', file(`${name}.pem`)], { stdio: 'pipe' });
    }
    writeFileSync(file('notes.txt'), 'not a certificate\n');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('when an https <NAME>_URL has its CA, certificate and key, then the gateway reaches that subgraph alone with their contents', () => {
    const c = loadConfig({ POLICE_URL: HTTPS, POLICE_TLS_CA: file('ca.pem'), POLICE_TLS_CERT: file('ca.pem'), POLICE_TLS_KEY: file('ca.key') });
    expect(c.subgraphs.police.clientTls).toEqual({ ca: readFileSync(file('ca.pem')), cert: readFileSync(file('ca.pem')), key: readFileSync(file('ca.key')) });
    expect(c.subgraphs.police.serverTls).toBeUndefined();
    expect(c.subgraphs.transport.clientTls).toBeUndefined();
    expect(loadConfig({ POLICE_URL: HTTPS }).subgraphs.police.clientTls).toBeUndefined();
  });

  it('when an https <NAME>_URL has only some of the three, then each missing one is named', () => {
    expect(refused({ POLICE_URL: HTTPS, POLICE_TLS_CA: file('ca.pem') })).toEqual({
      POLICE_TLS_CERT: 'required with POLICE_TLS_CA',
      POLICE_TLS_KEY: 'required with POLICE_TLS_CA',
    });
    expect(refused({ INDUSTRY_TRADE_URL: 'https://moit.example/graphql', INDUSTRY_TRADE_TLS_CERT: file('ca.pem'), INDUSTRY_TRADE_TLS_KEY: file('ca.key') })).toEqual({
      INDUSTRY_TRADE_TLS_CA: 'required with INDUSTRY_TRADE_TLS_CERT, INDUSTRY_TRADE_TLS_KEY',
    });
  });

  it('when TLS variables are set and <NAME>_URL is http or unset, then each of them is named', () => {
    const all = { POLICE_TLS_CA: file('ca.pem'), POLICE_TLS_CERT: file('ca.pem'), POLICE_TLS_KEY: file('ca.key') };
    expect(refused({ POLICE_URL: 'http://police.example/graphql', ...all })).toEqual({
      POLICE_TLS_CA: 'set, but POLICE_URL is not https',
      POLICE_TLS_CERT: 'set, but POLICE_URL is not https',
      POLICE_TLS_KEY: 'set, but POLICE_URL is not https',
    });
    expect(refused({ POLICE_TLS_KEY: file('ca.key') })).toEqual({ POLICE_TLS_KEY: 'set, but POLICE_URL is not https' });
  });

  it('when a file is missing, unreadable or not what its variable holds, then that variable is named', () => {
    expect(refused({ POLICE_URL: HTTPS, POLICE_TLS_CA: file('missing.pem'), POLICE_TLS_CERT: file('notes.txt'), POLICE_TLS_KEY: dir })).toEqual({
      POLICE_TLS_CA: `cannot read ${file('missing.pem')} (ENOENT)`,
      POLICE_TLS_CERT: `no PEM certificate in ${file('notes.txt')}`,
      POLICE_TLS_KEY: `cannot read ${dir} (EISDIR)`,
    });
    expect(refused({ POLICE_URL: HTTPS, POLICE_TLS_CA: file('ca.pem'), POLICE_TLS_CERT: file('ca.pem'), POLICE_TLS_KEY: file('ca.pem') })).toEqual({
      POLICE_TLS_KEY: `${file('ca.pem')} is not an unencrypted PEM private key`,
    });
  });

  it('when the key is not the certificate\'s, then <NAME>_TLS_KEY is named', () => {
    expect(refused({ POLICE_URL: HTTPS, POLICE_TLS_CA: file('ca.pem'), POLICE_TLS_CERT: file('ca.pem'), POLICE_TLS_KEY: file('other.key') })).toEqual({
      POLICE_TLS_KEY: 'not the key of the certificate in POLICE_TLS_CERT',
    });
  });

  it('when a subgraph serves HTTPS, then it has its certificate, key and client CA; one missing or not matching is named', () => {
    const served = { POLICE_TLS_SERVER_CERT: file('ca.pem'), POLICE_TLS_SERVER_KEY: file('ca.key'), POLICE_TLS_CLIENT_CA: file('other.pem') };
    expect(loadConfig(served).subgraphs.police.serverTls).toEqual({
      cert: readFileSync(file('ca.pem')),
      key: readFileSync(file('ca.key')),
      clientCa: readFileSync(file('other.pem')),
    });
    expect(loadConfig(served).subgraphs.police.clientTls).toBeUndefined();
    expect(refused({ POLICE_TLS_SERVER_CERT: file('ca.pem'), POLICE_TLS_SERVER_KEY: file('ca.key') })).toEqual({
      POLICE_TLS_CLIENT_CA: 'required with POLICE_TLS_SERVER_CERT, POLICE_TLS_SERVER_KEY',
    });
    expect(refused({ ...served, POLICE_TLS_SERVER_KEY: file('other.key') })).toEqual({
      POLICE_TLS_SERVER_KEY: 'not the key of the certificate in POLICE_TLS_SERVER_CERT',
    });
  });
});
