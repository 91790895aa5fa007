import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchCopy, ScratchCopy } from '../support/scratch-copy';

/**
 * `npm run schema:check` and `npm run compose -- --check` as a department runs them, on a scratch copy of the
 * working tree whose code it changes: each run builds the copy and runs the built command.
 */
let scratch: ScratchCopy;

const edit = (path: string, from: string, to: string) => {
  const file = join(scratch.dir, path);
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${path} no longer holds the text this test changes`);
  writeFileSync(file, text.replace(from, to));
};
const build = async () => expect(await scratch.run(process.execPath, [join(scratch.dir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'])).toMatchObject({ code: 0 });
const run = async (script: string, args: string[] = []) => {
  const r = await scratch.run(process.execPath, [join(scratch.dir, script), ...args]);
  return { code: r.code, out: `${r.stdout}${r.stderr}` };
};
const schemaCheck = () => run('dist/scripts/schema-check.js');
const accept = (entries: unknown) => writeFileSync(join(scratch.dir, 'schema/changes.json'), JSON.stringify(entries));

const ISSUED_AT = `  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  issuedAt: Date | null;`;
const WITHOUT_FIELD = `  @Column({ type: 'timestamptz', nullable: true })
  issuedAt: Date | null;`;

beforeAll(async () => {
  scratch = await scratchCopy('schema-check');
  await build();
}, 120_000);
afterAll(() => scratch?.cleanup());

describe('npm run schema:check', () => {
  it('when the code builds what is committed, then it passes and every known operation validates', async () => {
    const r = await schemaCheck();
    expect(r.out).toMatch(/^schema:check passed: 0 safe, 0 dangerous, 0 breaking changes, 0 breaking not accepted; (\d+) of \1 known operations validate$/m);
    expect(r.code).toBe(0);
  });

  it('when a subgraph has no committed schema yet, then all of it is a safe addition and it passes', async () => {
    const file = join(scratch.dir, 'schema/police.graphql');
    const committed = readFileSync(file, 'utf8');
    unlinkSync(file);
    const r = await schemaCheck();
    writeFileSync(file, committed);
    expect(r.out).toMatch(/^SAFE +police +New subgraph 'police' \(no schema\/police\.graphql yet\): all of it is added$/m);
    expect(r.out).toContain('schema:check passed: 1 safe, 0 dangerous, 0 breaking changes');
    expect(r.code).toBe(0);
  });

  it('when a field no known operation uses is removed, then it fails naming the type and field, and passes once the removal is listed with its reason', async () => {
    edit('subgraphs/police/entities/police-certificate.entity.ts', ISSUED_AT, WITHOUT_FIELD);
    await build();
    const refused = await schemaCheck();
    expect(refused.out).toMatch(/^BREAKING +police +PoliceCertificate\.issuedAt +Field 'issuedAt' was removed from object type 'PoliceCertificate' +\(not in schema\/changes\.json\)$/m);
    expect(refused.out).toContain('schema:check failed: 0 safe, 0 dangerous, 1 breaking changes, 1 breaking not accepted');
    expect(refused.code).toBe(1);

    accept([{ subgraph: 'police', path: 'PoliceCertificate.issuedAt', reason: '' }]);
    const unreasoned = await schemaCheck();
    expect(unreasoned.out).toContain('ERROR     schema/changes.json[0]: needs subgraph, path and a reason of 10 characters or more');
    expect(unreasoned.code).toBe(1);

    accept([{ subgraph: 'police', path: 'PoliceCertificate.issuedAt', reason: 'Deprecated in 2026-06; no client asked for it in 12 weeks' }]);
    const listed = await schemaCheck();
    expect(listed.out).toMatch(/^BREAKING +police +PoliceCertificate\.issuedAt .*\(accepted in schema\/changes\.json\)$/m);
    expect(listed.code).toBe(0);
  }, 120_000);

  it('when a field a dashboard operation uses is removed, then it fails naming the operation, listed or not', async () => {
    edit('subgraphs/intake/entities/department.entity.ts', `  @Field({ description: 'Whether it processes dossiers in a system of its own.' })\n`, '');
    await build();
    accept([
      { subgraph: 'police', path: 'PoliceCertificate.issuedAt', reason: 'Deprecated in 2026-06; no client asked for it in 12 weeks' },
      { subgraph: 'intake', path: 'Department.hasOwnSystem', reason: 'Every department reports its system now' },
    ]);
    const r = await schemaCheck();
    expect(r.out).toMatch(/^BREAKING +intake +Department\.hasOwnSystem .*\(accepted in schema\/changes\.json\)$/m);
    expect(r.out).toContain('BROKEN    operation "DashboardDepartments" (dashboard) no longer validates: Cannot query field "hasOwnSystem" on type "Department".');
    expect(r.out).toContain('a known operation is a client in use: change it first; schema/changes.json does not excuse breaking it');
    expect(r.code).toBe(1);
  }, 120_000);

  it('when an argument a README step leaves out becomes required, then it fails naming the argument and the step', async () => {
    edit('subgraphs/postal/resolvers/shipment.resolver.ts', `@Arg('location', () => String, { nullable: true })`, `@Arg('location', () => String)`);
    await build();
    const r = await schemaCheck();
    expect(r.out).toMatch(/^BREAKING +postal +Mutation\.recordShipmentEvent\.location +Type for argument 'location' on field 'Mutation\.recordShipmentEvent' changed from 'String' to 'String!' +\(not in schema\/changes\.json\)$/m);
    expect(r.out).toContain('BROKEN    operation "mutation { recordShipmentEvent }" (README step 7) no longer validates: Field "recordShipmentEvent" argument "location" of type "String!" is required, but it was not provided.');
    expect(r.code).toBe(1);
  }, 120_000);
});

describe('npm run compose -- --check', () => {
  it('when the code differs from the committed schema without a new plan hint, then it passes naming the files composing would write, and writes nothing', async () => {
    // The copy still holds the step above's change to postal's recordShipmentEvent: code and committed schema differ.
    const committed = readFileSync(join(scratch.dir, 'schema/postal.graphql'), 'utf8');
    const r = await run('dist/gateway/compose.js', ['--check']);
    expect(r.out).toContain('would write schema/postal.graphql');
    expect(r.out).not.toContain('would write schema/transport.graphql');
    expect(r.out).toContain('composition ok: no error, no new hint that changes the plan');
    expect(r.code).toBe(0);
    expect(readFileSync(join(scratch.dir, 'schema/postal.graphql'), 'utf8')).toBe(committed);
  });

  it('when a change adds a hint that changes the query plan, then it fails naming it and writes nothing', async () => {
    const committed = readFileSync(join(scratch.dir, 'schema/supergraph.graphql'), 'utf8');
    edit('subgraphs/kit/department/processing.record.ts', `  history: StatusChange[];\n}`, `  history: StatusChange[];\n\n  @Field(() => String, { nullable: true })\n  officerNote: string | null;\n}`);
    edit('subgraphs/intake/entities/one-stop-processing.entity.ts', `  resultDocument: string | null;\n}`,
      `  resultDocument: string | null;\n\n  @Field(() => String, { nullable: true })\n  officerNote: string | null;\n}`);
    await build();
    const r = await run('dist/gateway/compose.js', ['--check']);
    expect(r.out).toContain('PLAN HINT INCONSISTENT_INTERFACE_VALUE_TYPE_FIELD: Field "Processing.officerNote" of interface type "Processing" is defined in some but not all subgraphs');
    expect(r.out).toContain('composition changes the query plan: 1 new hints (nothing written)');
    expect(r.code).toBe(1);
    expect(readFileSync(join(scratch.dir, 'schema/supergraph.graphql'), 'utf8')).toBe(committed);
  }, 120_000);

  it('when composition fails, then it fails with the error and writes nothing', async () => {
    const committed = readFileSync(join(scratch.dir, 'schema/supergraph.graphql'), 'utf8');
    edit('subgraphs/intake/entities/one-stop-processing.entity.ts', `  @Field(() => String, { nullable: true })\n  officerNote: string | null;\n}`, `}`);
    await build();
    const r = await run('dist/gateway/compose.js', ['--check']);
    expect(r.out).toContain('composition failed:\n  - Interface field "Processing.officerNote" is declared in subgraphs');
    expect(r.code).toBe(1);
    expect(readFileSync(join(scratch.dir, 'schema/supergraph.graphql'), 'utf8')).toBe(committed);
  }, 120_000);
});
