import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { Client } from 'pg';
import { exportPKCS8, generateKeyPair } from 'jose';
import { KEY_DIR, PRIVATE_KEY_FILE, SUBGRAPH_PLANS, TOKEN_ALG } from '../../scripts/deploy/stack';

const execFileAsync = promisify(execFile);
import { parseAllDocuments } from 'yaml';
import { TEST_SERVER } from '../support/databases';
import { composeEnv, freshCloneDir, resolveCompose, ROOT } from './support/compose';
import { LocalStack } from './support/local-stack';
import { until } from '../support/waiting';

/**
 * The stack as the compose file describes it, on a fresh clone after `npm run compose:env`: resolved by
 * docker-compose itself, then run as local processes (see LocalStack), PostgreSQL's roles and databases made by
 * the init script. Only the role and database names differ from a real deployment (MOTCUA_DB_PREFIX, which
 * the compose file reads), so that runs do not collide.
 */
const PREFIX = `motcua_stack_${process.pid}_${Date.now().toString(36)}_`;
const staff = { role: 'CENTRE_STAFF' };

describe('the compose stack, run as local processes', () => {
  let dir: string;
  let stack: LocalStack;
  let gateway: string;
  let startupMs: number;
  let startedAt: number;
  let admin: Client;

  beforeAll(async () => {
    dir = freshCloneDir();
    await composeEnv(dir);
    stack = await LocalStack.create(await resolveCompose(dir, { MOTCUA_DB_PREFIX: PREFIX }), TEST_SERVER);
    startedAt = Date.now();
    await stack.up();
    startupMs = Date.now() - startedAt;
    gateway = `http://127.0.0.1:${stack.port('gateway', stack.compose.services.gateway.environment!.PORT)}`;
    admin = new Client({ connectionString: new URL('/postgres', TEST_SERVER).toString() });
    await admin.connect();
  }, 240_000);

  afterAll(async () => {
    await stack?.down();
    if (admin) {
      const { rows } = await admin.query('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [PREFIX]);
      for (const { datname } of rows) await admin.query(`DROP DATABASE "${datname}" WITH (FORCE)`);
      const roles = await admin.query('SELECT rolname FROM pg_roles WHERE starts_with(rolname, $1)', [PREFIX]);
      for (const { rolname } of roles.rows) await admin.query(`DROP ROLE "${rolname}"`);
      await admin.end();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  // As an operator would: `npm run token -- --key .secrets/auth-private.pem`, with the gateway's issuer and audience.
  const sign = async (claims: { role: string; department?: string }, pem = join(dir, KEY_DIR, PRIVATE_KEY_FILE)) => {
    const env = stack.compose.services.gateway.environment!;
    const args = [join(ROOT, 'dist/scripts/token.js'), '--role', claims.role, '--subject', 'stack-test', '--ttl', '10m', '--key', pem];
    if (claims.department) args.push('--department', claims.department);
    const { stdout } = await execFileAsync(process.execPath, args, {
      env: { PATH: process.env.PATH, AUTH_ISSUER: env.AUTH_ISSUER, AUTH_AUDIENCE: env.AUTH_AUDIENCE, AUTH_PUBLIC_KEY_ALG: env.AUTH_PUBLIC_KEY_ALG },
    });
    return stdout.trim();
  };
  const query = async (q: string, variables: Record<string, unknown> = {}, token?: string) => {
    const res = await fetch(`${gateway}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify({ query: q, variables }),
    });
    return res.json() as Promise<any>;
  };

  it('when the stack is up, then the migrate job has finished, every service passes its own healthcheck and each subgraph connects as its own role only', async () => {
    const at = (name: string) => `${name} ${((stack.readyAt.get(name)! - startedAt) / 1000).toFixed(1)} s`;
    console.log(`stack start-up as processes: ${(startupMs / 1000).toFixed(1)} s (${['postgres', 'migrate', ...SUBGRAPH_PLANS.map((s) => s.name), 'gateway'].map(at).join(', ')})`);
    expect(stack.processes.get('migrate')?.exitCode).toBe(0);
    expect(stack.processes.get('gateway')?.exitCode).toBeNull();
    const { rows } = await admin.query(
      `SELECT a.datname, a.usename, r.rolsuper FROM pg_stat_activity a JOIN pg_roles r ON r.rolname = a.usename
        WHERE starts_with(a.datname, $1)`,
      [PREFIX],
    );
    expect(new Set(rows.map((r) => r.datname))).toEqual(new Set(SUBGRAPH_PLANS.map((s) => `${PREFIX}${s.dbSuffix}`)));
    for (const r of rows) expect(r).toEqual({ datname: r.datname, usename: r.datname, rolsuper: false });
    const owners = await admin.query(
      'SELECT datname, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname',
      [PREFIX],
    );
    for (const o of owners.rows) expect(o.owner).toBe(o.datname);
  });

  it('when the Kubernetes probes and a Prometheus scraper ask the running services, then the paths and ports the manifests name answer 200', async () => {
    for (const name of [...SUBGRAPH_PLANS.map((s) => s.name), 'gateway']) {
      const deployment = parseAllDocuments(readFileSync(join(ROOT, 'deploy/k8s', `${name}.yaml`), 'utf8')).map((d) => d.toJS()).find((m) => m.kind === 'Deployment');
      const [c] = deployment.spec.template.spec.containers;
      const port = (named: string) => stack.port(name, c.ports.find((p: { name: string }) => p.name === named).containerPort);
      const asked = [c.livenessProbe, c.readinessProbe].map((p) => `http://127.0.0.1:${port(p.httpGet.port)}${p.httpGet.path}`);
      asked.push(`http://127.0.0.1:${port('metrics')}${deployment.spec.template.metadata.annotations['prometheus.io/path']}`);
      for (const url of asked) expect({ name, url, status: (await fetch(url)).status }).toEqual({ name, url, status: 200 });
    }
  });

  it("when one subgraph's role connects to another subgraph's database, then PostgreSQL refuses it", async () => {
    const intake = new URL(stack.environment('intake').INTAKE_DATABASE_URL);
    intake.pathname = `/${PREFIX}postal`;
    const client = new Client({ connectionString: intake.toString() });
    await expect(client.connect()).rejects.toMatchObject({ code: '42501' });
  });

  it('when the seed service has run, then a token signed with the generated key reads the demo data through every subgraph, and a token from another key is refused', async () => {
    expect(await stack.run('seed')).toMatch(/intake\s+\d+ records/);
    const token = await sign(staff);
    const report = await query('{ report(from: "2020-04-01", to: "2020-04-30") { received { total } resolved { total } inProcess { total } } }', {}, token);
    expect(report.errors).toBeUndefined();
    expect(report.data.report).toEqual({ received: { total: 1752 }, resolved: { total: 1766 }, inProcess: { total: 938 } });
    const page = await query(
      '{ dossiers(first: 1, filter: { departmentCode: "SGTVT" }) { edges { node { processing { __typename status } } } } }',
      {},
      token,
    );
    expect(page.errors).toBeUndefined();
    expect(page.data.dossiers.edges[0].node.processing).toMatchObject({ __typename: 'TransportProcessing', status: expect.any(String) });

    const { privateKey } = await generateKeyPair(TOKEN_ALG, { extractable: true });
    const otherKey = join(dir, 'other-private.pem');
    writeFileSync(otherKey, await exportPKCS8(privateKey));
    const forged = await query('{ departments { code } }', {}, await sign(staff, otherKey));
    expect(forged.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('when centre staff receive a dossier and its officer starts it, then the hand-overs reach transport and come back to the register', async () => {
    const since = new Date(Date.now() - 60_000).toISOString();
    const token = await sign(staff);
    const received = await query(
      `mutation($input: ReceiveDossierInput!) { receiveDossier(input: $input) { code processing { __typename status } } }`,
      { input: { procedureCode: '1.002820', channel: 'ONLINE', applicant: { fullName: 'Bùi Đức Trung', idNumber: '056080001234' } } },
      token,
    );
    expect(received.errors).toBeUndefined();
    const code = received.data.receiveDossier.code;
    const officer = await sign({ role: 'DEPARTMENT_OFFICER', department: 'SGTVT' });
    const started = await until('transport to accept the dossier it was handed', async () => {
      const res = await query(`mutation($code: String!) { transportStartProcessing(dossierCode: $code) { status } }`, { code }, officer);
      return res.data?.transportStartProcessing ? res : undefined;
    });
    expect(started.data.transportStartProcessing.status).toBe('PROCESSING');
    const filter = { departmentCode: 'SGTVT', status: 'PROCESSING', receivedFrom: since };
    await until('the register to learn the new status from transport', async () => {
      const res = await query(`query($f: DossierFilter) { dossiers(filter: $f, first: 5) { totalCount } }`, { f: filter }, token);
      return res.data?.dossiers.totalCount === 1;
    });
  });

  it('when the stack is taken down, then every service stops cleanly with exit code 0', async () => {
    const exits = await stack.down();
    expect(exits).toEqual(Object.fromEntries(Object.keys(exits).map((n) => [n, 0])));
  });
});
