import { execFile } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deploymentFiles, K8S_DIR } from '../../scripts/deploy/generate';
import { KEY_DIR, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, SECRET_VARS, SUBGRAPH_PLANS } from '../../scripts/deploy/stack';
import { loadConfig, peersOf, requireAuditKey, requireHandoverKeys, requireSigningSecret } from '../../subgraphs/kit/config';
import { exportHandoverKey } from '../../subgraphs/kit/messaging/handover.keys';
import { SUBGRAPHS } from '../../subgraphs/registry';
import { composeEnv, freshCloneDir, resolveCompose, ResolvedCompose, ROOT } from './support/compose';

const run = promisify(execFile);
const readEnv = (dir: string) =>
  Object.fromEntries(
    readFileSync(join(dir, '.env'), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

describe('the generated deployment files', () => {
  it('when the generator runs, then its output is what is committed (else: npm run deploy:generate)', () => {
    const files = deploymentFiles();
    for (const [path, text] of Object.entries(files)) expect({ path, text: readFileSync(join(ROOT, path), 'utf8') }).toEqual({ path, text });
    expect(readdirSync(join(ROOT, K8S_DIR)).map((f) => `${K8S_DIR}/${f}`).sort()).toEqual(Object.keys(files).filter((p) => p.startsWith(K8S_DIR)).sort());
    expect(statSync(join(ROOT, 'docker/postgres-init.sh')).mode & 0o111).not.toBe(0);
  });

  it('when git looks at .env and the token keys, then it ignores them, and so does the image build', async () => {
    const { stdout } = await run('git', ['check-ignore', '.env', `${KEY_DIR}/${PRIVATE_KEY_FILE}`, `${KEY_DIR}/${PUBLIC_KEY_FILE}`], { cwd: ROOT });
    expect(stdout.trim().split('\n')).toEqual(['.env', `${KEY_DIR}/${PRIVATE_KEY_FILE}`, `${KEY_DIR}/${PUBLIC_KEY_FILE}`]);
    const dockerignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(dockerignore).toEqual(expect.arrayContaining(['.env', KEY_DIR, 'node_modules', 'dist', '.git']));
  });
});

describe('npm run compose:env and the compose file', () => {
  let dir: string;
  let compose: ResolvedCompose;
  beforeAll(async () => {
    dir = freshCloneDir();
    await composeEnv(dir);
    compose = await resolveCompose(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('when it runs, then .env holds a distinct random secret of 32+ characters for every variable, fresh each run, and a key pair next to it', async () => {
    const env = readEnv(dir);
    expect(Object.keys(env)).toEqual([...SECRET_VARS]);
    for (const value of Object.values(env)) expect(value).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(new Set(Object.values(env)).size).toBe(SECRET_VARS.length);
    const other = freshCloneDir();
    try {
      await composeEnv(other);
      const again = readEnv(other);
      for (const name of SECRET_VARS) expect(again[name]).not.toBe(env[name]);
      expect(readFileSync(join(other, KEY_DIR, PUBLIC_KEY_FILE), 'utf8')).not.toBe(readFileSync(join(dir, KEY_DIR, PUBLIC_KEY_FILE), 'utf8'));
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
    expect(readFileSync(join(dir, KEY_DIR, PUBLIC_KEY_FILE), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(statSync(join(dir, KEY_DIR, PRIVATE_KEY_FILE)).mode & 0o077).toBe(0);
    expect(statSync(join(dir, '.env')).mode & 0o077).toBe(0);
  });

  it('when .env already holds every secret, then a second run writes nothing', async () => {
    const before = readFileSync(join(dir, '.env'), 'utf8');
    await expect(composeEnv(dir)).resolves.toMatchObject({ stdout: expect.stringContaining('holds every secret the registry needs: nothing written') });
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(before);
  });

  it('when .env lacks a subgraph the registry gained, then a second run appends its secrets and leaves the others as they were', async () => {
    const before = readFileSync(join(dir, '.env'), 'utf8');
    try {
      const kept = before.split('\n').filter((l) => !l.startsWith('POLICE_')).join('\n');
      writeFileSync(join(dir, '.env'), kept);
      await composeEnv(dir);
      const after = readFileSync(join(dir, '.env'), 'utf8');
      expect(after.startsWith(kept)).toBe(true);
      const added = after.slice(kept.length).split('\n').filter(Boolean).map((l) => l.split('=')[0]);
      expect(added).toEqual(SECRET_VARS.filter((v) => v.startsWith('POLICE_')));
      expect(readEnv(dir).POLICE_SIGNING_SECRET).not.toBe(Object.fromEntries(before.split('\n').map((l) => l.split('='))).POLICE_SIGNING_SECRET);
    } finally {
      writeFileSync(join(dir, '.env'), before, { mode: 0o600 });
    }
  });

  it('when .env is missing, then docker-compose refuses the file and says to run compose:env', async () => {
    const bare = freshCloneDir();
    try {
      await expect(resolveCompose(bare)).rejects.toThrow(/Missing mandatory value.*run npm run compose:env first/s);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it('when resolved, then it has a service per subgraph by its name, gateway, postgres, migrate and seed', () => {
    expect(Object.keys(compose.services).sort()).toEqual([...SUBGRAPHS.map((s) => s.name), 'gateway', 'postgres', 'migrate', 'seed'].sort());
  });

  it("when each service's environment is loaded as production configuration, then it is complete and the secrets agree between the services that share them", () => {
    const configOf = (name: string) => loadConfig(compose.services[name].environment);
    const gateway = configOf('gateway');
    expect(gateway.env).toBe('production');
    for (const s of SUBGRAPH_PLANS) {
      const own = configOf(s.name);
      expect(own.migrateAtStart).toBe(false);
      expect(requireSigningSecret(own, s.name)).toBe(requireSigningSecret(gateway, s.name));
      expect(requireAuditKey(own)).toBe(requireAuditKey(configOf(SUBGRAPH_PLANS[0].name)));
      for (const peer of SUBGRAPH_PLANS) {
        // Each holds its own private key only, and the public key that goes with every other's.
        if (peer !== s) {
          expect(() => peersOf(own).privateKey(peer.name)).toThrow(`${peer.env}_HANDOVER_PRIVATE_KEY is required in production`);
          const theirs = peersOf(configOf(peer.name)).privateKey(peer.name);
          expect(exportHandoverKey(requireHandoverKeys(own, s.name).publicKeyOf(peer.name)!)).toBe(exportHandoverKey(createPublicKey(theirs)));
        }
        expect(own.subgraphs[peer.name].url).toBe(gateway.subgraphs[peer.name].url);
      }
    }
    for (const name of ['migrate', 'seed']) {
      const c = configOf(name);
      for (const s of SUBGRAPH_PLANS) expect(c.subgraphs[s.name].databaseUrl).toBe(configOf(s.name).subgraphs[s.name].databaseUrl);
    }
  });

  it("when a service reaches a database, then it is its subgraph's own role from the init script, never the superuser", () => {
    const pg = compose.services.postgres.environment!;
    for (const [name, service] of Object.entries(compose.services)) {
      if (name !== 'postgres') expect(Object.keys(service.environment ?? {})).not.toContain('POSTGRES_PASSWORD');
      for (const s of SUBGRAPH_PLANS) {
        const value = service.environment?.[`${s.env}_DATABASE_URL`];
        if (!value) continue;
        const url = new URL(value);
        expect([url.username, url.password, url.pathname]).toEqual([pg[`${s.env}_DB_USER`], pg[`${s.env}_DB_PASSWORD`], `/${pg[`${s.env}_DB_NAME`]}`]);
      }
    }
  });

  it('when the stack starts, then the subgraphs wait for the migrate job, the gateway for healthy subgraphs, and each healthcheck asks its own readiness', () => {
    const { services } = compose;
    for (const s of SUBGRAPH_PLANS) {
      expect(services[s.name].depends_on?.migrate).toEqual({ condition: 'service_completed_successfully' });
      expect(services.gateway.depends_on?.[s.name]).toEqual({ condition: 'service_healthy' });
    }
    expect(services.seed.depends_on?.migrate).toEqual({ condition: 'service_completed_successfully' });
    const ports = new Map<string, string>();
    for (const name of ['gateway', ...SUBGRAPH_PLANS.map((s) => s.name)]) {
      const env = services[name].environment!;
      const port = name === 'gateway' ? env.PORT : env[`${SUBGRAPH_PLANS.find((s) => s.name === name)!.env}_PORT`];
      expect(services[name].healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${port}/readiness`);
      ports.set(name, env.METRICS_PORT);
    }
    expect(new Set(ports.values()).size).toBe(ports.size);
  });
});
