import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { envPrefix, SUBGRAPHS } from '../../subgraphs/registry';
import type { Identity } from '../../subgraphs/kit/identity';
import { dropDatabases, testDatabaseUrl, uniquePrefix } from '../support/databases';
import { scratchCopy, ScratchCopy } from '../support/scratch-copy';
import { postGraphQL, STAFF, tokenFor } from '../support/system';
import { alive, freePort, until } from '../support/waiting';

/**
 * A department leaving the one-stop system, as the province would do it, in a scratch copy of the repository:
 * `npm run department:new -- construction --department SXD`, `npm run compose`, `npm start`, then
 * `npm run department:move -- --department SXD --to construction` while everything runs.
 */
const NAME = 'construction';
const DEPARTMENT = 'SXD';
const OFFICER: Identity = { subject: 'officer-sxd', role: 'DEPARTMENT_OFFICER', department: DEPARTMENT };
const prefix = uniquePrefix('onboarding');
const REPORT = `query Report($from: Date!, $to: Date!) {
  report(from: $from, to: $to) {
    from to carriedOver withdrawn returnedByPost balanced published
    received { total online direct postal } resolved { total early onTime late } inProcess { total overdue }
    byDepartment { department { code } carriedOver withdrawn received { total online direct postal } resolved { total early onTime late } inProcess { total overdue } }
    narrative reconciliation { consistent problems } revisions { system month departmentCode reason }
  } }`;
const SXD_PAGE = `query($after: String) { dossiers(first: 100, after: $after, filter: { departmentCode: "${DEPARTMENT}" }) {
  pageInfo { hasNextPage endCursor } edges { node { code processing { __typename status decision decidedAt dueAt history { status at officer } } } } } }`;

let scratch: ScratchCopy;
let start: ChildProcess;
let startOut = '';
let env: NodeJS.ProcessEnv;
let gateway = '';

const ask = async (query: string, variables: Record<string, unknown> = {}, as: Identity = STAFF) => postGraphQL(gateway, query, variables, await tokenFor(as));
const answer = async (query: string, variables: Record<string, unknown> = {}, as: Identity = STAFF) => {
  const res = await ask(query, variables, as);
  expect(res.errors).toBeUndefined();
  return res.data;
};
const node = (script: string, args: string[] = []) => scratch.run(process.execPath, [join(scratch.dir, script), ...args], env);
const move = () => node('dist/scripts/department-move.js', ['--department', DEPARTMENT, '--to', NAME]);
const withoutType = (dossiers: any[]) => dossiers.map((d) => ({ ...d, processing: { ...d.processing, __typename: undefined } }));
const typesOf = (dossiers: any[]) => new Set(dossiers.map((d) => d.processing.__typename));

/** Every SXD dossier with its processing, page by page. */
async function sxdDossiers(): Promise<any[]> {
  const all: any[] = [];
  for (let after: string | null = null; ;) {
    const page: any = (await answer(SXD_PAGE, { after })).dossiers;
    all.push(...page.edges.map((e: any) => e.node));
    if (!page.pageInfo.hasNextPage) return all;
    after = page.pageInfo.endCursor;
  }
}

beforeAll(async () => {
  scratch = await scratchCopy('onboarding');
  const tsc = await scratch.run(process.execPath, [join(scratch.dir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
  expect(tsc).toMatchObject({ code: 0 });
  // No report cache: a report asked again after the move is counted again, not remembered.
  env = { PATH: process.env.PATH, NODE_ENV: 'test', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(await freePort()), APOLLO_TELEMETRY_DISABLED: '1', REPORT_CACHE_ENTRIES: '0' };
  for (const name of [...SUBGRAPHS.map((s) => s.name), NAME]) {
    env[`${envPrefix(name)}_PORT`] = String(await freePort());
    env[`${envPrefix(name)}_DATABASE_URL`] = testDatabaseUrl(prefix, name);
  }
  gateway = `http://127.0.0.1:${env.PORT}/graphql`;
}, 120_000);

afterAll(async () => {
  // npm start and its children are a process group of their own: stopped together, whatever state they are in.
  if (start?.pid && alive(start.pid)) {
    process.kill(-start.pid, 'SIGINT');
    await until('npm start to stop', () => start.exitCode !== null || start.signalCode !== null, 30_000).catch(() => process.kill(-start.pid!, 'SIGKILL'));
  }
  await dropDatabases(prefix);
  await scratch?.cleanup();
}, 60_000);

describe('a department that gets its own system and moves onto it', () => {
  it('when department:new runs, then the new system is in the registry, the compose file, the manifests, the secrets and, once composed, the supergraph, and its own test passes', async () => {
    const made = await node('dist/scripts/department-new.js', [NAME, '--department', DEPARTMENT]);
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    const read = (path: string) => readFileSync(join(scratch.dir, path), 'utf8');
    expect(read('subgraphs/registry.ts')).toContain(`{ name: '${NAME}', port: 4006, processingType: 'ConstructionProcessing', departmentCode: '${DEPARTMENT}', load: load('./${NAME}/subgraph') }`);
    expect(read('docker-compose.yml')).toMatch(new RegExp(`\\n  ${NAME}:\\n`));
    expect(read('docker-compose.yml')).toContain('CONSTRUCTION_SIGNING_SECRET');
    expect(read('deploy/k8s/kustomization.yaml')).toContain(`${NAME}.yaml`);
    expect(read(`deploy/k8s/${NAME}.yaml`)).toContain(`name: ${NAME}`);
    expect(read('docker/postgres-init.sh')).toContain('create_owned_database "${CONSTRUCTION_DB_USER:?}"');

    const composed = await node('dist/gateway/compose.js');
    expect(composed).toMatchObject({ code: 0, stdout: expect.stringContaining(`wrote     schema/${NAME}.graphql`) });
    expect(read('schema/supergraph.graphql')).toContain('type ConstructionProcessing implements Processing');
    expect(read('schema/supergraph.graphql')).toContain('type ConstructionDepartmentReport implements DepartmentReport');

    const own = await scratch.run(process.execPath, [join(scratch.dir, 'node_modules/jest/bin/jest.js'), `test/subgraphs/${NAME}.e2e.test.ts`, '--ci'],
      env);
    expect(own.stderr).toMatch(/Tests:\s+2 passed, 2 total/);
    expect(own.code).toBe(0);
  }, 240_000);

  it('when the system starts with the demo data, then the department still works in the one-stop system', async () => {
    start = spawn(process.execPath, [join(scratch.dir, 'dist/scripts/start.js')], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    start.stdout!.on('data', (d) => (startOut += d));
    start.stderr!.on('data', (d) => (startOut += d));
    await until('npm start to say it is up', () => startOut.includes('motcua-graph is up') || start.exitCode !== null, 150_000);
    expect(start.exitCode).toBeNull();
    const dossiers = await sxdDossiers();
    expect(dossiers.length).toBeGreaterThan(100);
    expect(typesOf(dossiers)).toEqual(new Set(['OneStopProcessing']));
  }, 180_000);

  it('when SXD moves while everything runs, then its dossiers read as ConstructionProcessing with the same history, and the reports, a closed month\'s included, do not change', async () => {
    await answer('mutation { closeReportPeriod(month: "2020-03") { month } }');
    const before = await sxdDossiers();
    const march = await answer(REPORT, { from: '2020-03-01', to: '2020-03-31' });
    // Not whole months: counted afresh from the systems' records, never from a closed month's figures.
    const recount = await answer(REPORT, { from: '2020-03-02', to: '2020-04-29' });
    const april = await answer(REPORT, { from: '2020-04-01', to: '2020-04-30' });
    expect([march.report.published, recount.report.published]).toEqual([true, false]);
    expect(april.report.reconciliation).toEqual({ consistent: true, problems: [] });

    // Interrupted after its first batch, it resumes where it stopped.
    const interrupted = spawn(process.execPath, [join(scratch.dir, 'dist/scripts/department-move.js'), '--department', DEPARTMENT, '--to', NAME, '--batch', '1'],
      { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let first = '';
    interrupted.stdout!.on('data', (d) => (first += d));
    await until('the first batch', () => /copied 1 records/.test(first), 30_000);
    interrupted.kill('SIGKILL');
    await until('the interrupted move to end', () => interrupted.signalCode !== null || interrupted.exitCode !== null);
    const stoppedAt = [...first.matchAll(/through (\S+)\)/g)].pop()![1];
    expect(typesOf(await sxdDossiers())).toEqual(new Set(['OneStopProcessing']));

    const moved = await move();
    expect(moved.stderr).toBe('');
    expect(moved.code).toBe(0);
    const resumedFrom = moved.stdout.match(/through (\S+)\)/)![1];
    expect(resumedFrom > stoppedAt).toBe(true);
    expect(moved.stdout).toContain(`reconciled: ${before.length} dossiers, each once in ${NAME}, with the same statuses, decisions, decision times and history`);
    expect(moved.stdout).toContain('1 closed months kept as published');

    const after = await sxdDossiers();
    expect(typesOf(after)).toEqual(new Set(['ConstructionProcessing']));
    expect(withoutType(after)).toEqual(withoutType(before));
    expect(await answer(REPORT, { from: '2020-03-01', to: '2020-03-31' })).toEqual(march);
    expect(await answer(REPORT, { from: '2020-03-02', to: '2020-04-29' })).toEqual(recount);
    expect(await answer(REPORT, { from: '2020-04-01', to: '2020-04-30' })).toEqual(april);

    const again = await move();
    expect(again).toMatchObject({ code: 0, stdout: expect.stringContaining(`${before.length} dossiers, each in ${NAME}; 0 worked on there since`) });
  }, 120_000);

  it('when a dossier for SXD is received after the move, then construction processes it, and the one-stop system refuses a step on a moved one', async () => {
    const received = await answer(`mutation($input: ReceiveDossierInput!) { receiveDossier(input: $input) { code processing { __typename } } }`, {
      input: { procedureCode: '1.009994', channel: 'ONLINE', applicant: { fullName: 'Bùi Đức Trung', idNumber: '056080001234', phone: '0905123456', address: 'Số 1 Trần Phú, Nha Trang' } },
    });
    const code = received.receiveDossier.code;
    expect(received.receiveDossier.processing.__typename).toBe('ConstructionProcessing');
    await until('construction to hold it', async () => (await ask(`{ dossier(code: "${code}") { processing { status } } }`)).data?.dossier.processing);
    await answer(`mutation { constructionStartProcessing(dossierCode: "${code}") { status } }`, {}, OFFICER);
    const decided = await answer(`mutation { constructionDecide(dossierCode: "${code}", decision: APPROVED, detail: { kind: "RESULT_DOCUMENT", number: "12/GP-SXD" }) {
      status constructionDocument { number } } }`, {}, OFFICER);
    expect(decided.constructionDecide).toEqual({ status: 'RELEASING', constructionDocument: { number: '12/GP-SXD' } });
    const timeline = await until('the register to hear the decision', async () => {
      const d = (await answer(`{ dossier(code: "${code}") { timeline { system type } } }`)).dossier;
      return d.timeline.some((e: any) => e.type === 'DECIDED') && d.timeline;
    });
    expect(timeline.map((e: any) => `${e.system}:${e.type}`)).toEqual(['intake:RECEIVED', 'intake:HANDED_OVER', `${NAME}:PROCESSING_STARTED`, `${NAME}:DECIDED`]);

    const open = (await sxdDossiers()).find((d) => d.processing.status === 'PROCESSING' && d.code !== code).code;
    const refused = await ask(`mutation { oneStopDecide(dossierCode: "${open}", decision: REJECTED) { status } }`, {}, OFFICER);
    expect(refused.errors.map((e: any) => [e.extensions.code, e.message])).toEqual([['CONFLICT', `dossier ${open} is processed in the ${NAME} system now`]]);
  }, 60_000);

  it('when a field of the new system is removed, then schema:check fails naming it', async () => {
    const entity = join(scratch.dir, `subgraphs/${NAME}/entities/${NAME}-document.entity.ts`);
    writeFileSync(entity, readFileSync(entity, 'utf8').replace(`  @Field(() => Date, { nullable: true })\n  @Column({ type: 'timestamptz', nullable: true })\n  issuedAt`,
      `  @Column({ type: 'timestamptz', nullable: true })\n  issuedAt`));
    expect(await scratch.run(process.execPath, [join(scratch.dir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'])).toMatchObject({ code: 0 });
    const checked = await node('dist/scripts/schema-check.js');
    expect(checked.code).toBe(1);
    expect(`${checked.stdout}${checked.stderr}`).toMatch(/BREAKING.*ConstructionDocument\.issuedAt/);
  }, 120_000);
});
