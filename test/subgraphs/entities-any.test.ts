import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  buildSchema,
  FieldNode,
  getNamedType,
  getNullableType,
  GraphQLNamedType,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLType,
  isEnumType,
  isInterfaceType,
  isLeafType,
  isListType,
  isObjectType,
  Kind,
  parse,
  SelectionSetNode,
} from 'graphql';
import type { Identity } from '../../subgraphs/kit/identity';
import { SCHEMA_DIR } from '../../subgraphs/kit/paths';
import { SUBGRAPHS } from '../../subgraphs/registry';
import { demoDatabaseUrls, RunningSubgraph, signedCall, startSubgraph, STAFF } from '../support/system';

/**
 * What a subgraph may answer a representation with, besides data: the codes of a refusal the caller can act on, and
 * UNAVAILABLE for the report's totals when the representation lacks a department system's figures.
 */
const REFUSALS = new Set(['BAD_USER_INPUT', 'NOT_FOUND', 'FORBIDDEN', 'UNAVAILABLE']);

const CALLERS: Identity[] = [
  STAFF,
  { subject: 'rb', role: 'REPORT_BUILDER' },
  { subject: 'cat', role: 'DEPARTMENT_OFFICER', department: 'CAT' },
  { subject: 'citizen', role: 'CITIZEN', citizenId: '001090000001' },
];

const directiveFields = (node: { directives?: readonly any[] } | null | undefined, name: string): string[] =>
  (node?.directives ?? []).filter((d) => d.name.value === name && !d.arguments.some((a: any) => a.name.value === 'resolvable' && a.value.value === false))
    .map((d) => d.arguments.find((a: any) => a.name.value === 'fields').value.value);

const selectionOf = (fields: string): SelectionSetNode => (parse(`{ ${fields} }`).definitions[0] as any).selectionSet;

/**
 * Values a router might gather for a selection: of the declared shape (complete or with fields left out, list items
 * null as the Rust planner sends them), or any JSON at all.
 */
function gathered(schema: GraphQLSchema, type: GraphQLType, selection: SelectionSetNode | undefined, known: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  const nullable = getNullableType(type);
  if (isListType(nullable)) return fc.array(fc.oneof(gathered(schema, nullable.ofType, selection, known), fc.constant(null)), { maxLength: 4 });
  const named = getNamedType(type);
  if (isLeafType(named) || !selection) return leaf(named, known);
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  const visit = (on: GraphQLNamedType, set: SelectionSetNode) => {
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD && (isObjectType(on) || isInterfaceType(on))) {
        const f = on.getFields()[s.name.value];
        if (f) fields[s.name.value] = fc.oneof({ weight: 8, arbitrary: gathered(schema, f.type, s.selectionSet, known) }, fc.jsonValue());
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        visit(s.typeCondition ? schema.getType(s.typeCondition.name.value)! : on, s.selectionSet);
      }
    }
  };
  visit(named, selection);
  return fc.oneof({ weight: 3, arbitrary: fc.record(fields) }, fc.record(fields, { requiredKeys: [] }), fc.constant({}));
}

function leaf(type: GraphQLNamedType, known: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  if (isEnumType(type)) return fc.constantFrom(...type.getValues().map((v) => v.name));
  switch (type.name) {
    case 'Int':
      return fc.oneof(fc.nat(2000), fc.integer());
    case 'Float':
      return fc.double({ noNaN: true });
    case 'Boolean':
      return fc.boolean();
    case 'Date':
      return fc.date({ min: new Date('2019-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    case 'DateTime':
      return fc.date({ min: new Date('2019-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
    default:
      return fc.oneof(known, fc.string({ maxLength: 30 }));
  }
}

/**
 * The fields a router can ask of a type here without arguments: its leaves, and the __typename of the rest (aliased
 * by type: fragments differ). Not its @external ones: another subgraph resolves those.
 */
function selectionFor(type: GraphQLObjectType): string {
  return Object.values(type.getFields())
    .filter((f) => !f.astNode?.directives?.some((d) => d.name.value === 'external'))
    .filter((f) => f.args.every((a) => a.defaultValue !== undefined || !a.type.toString().endsWith('!')))
    .map((f) => `${type.name}_${f.name}: ${f.name}${isLeafType(getNamedType(f.type)) ? '' : ' { __typename }'}`)
    .join(' ');
}

describe('any representation sent to _entities', () => {
  const running: Record<string, RunningSubgraph> = {};
  const urls = demoDatabaseUrls();
  let known: fc.Arbitrary<string>;

  beforeAll(async () => {
    for (const s of SUBGRAPHS) running[s.name] = await startSubgraph(s.name, urls[s.name]);
    const codes = await running.intake.server.db.query(`SELECT code FROM dossier ORDER BY code LIMIT 5`);
    const tracking = await running.postal.server.db.query(`SELECT tracking_number FROM shipment ORDER BY tracking_number LIMIT 3`);
    known = fc.constantFrom(
      ...codes.map((r: { code: string }) => r.code),
      ...tracking.map((r: { tracking_number: string }) => r.tracking_number),
      '*|2020-04-01|2020-04-30', 'SCT|2020-04-01|2020-04-30', 'CAT|2020-04-01|2020-04-30', 'SGTVT|2020-04-01|2020-04-30', 'STP|2020-04-01|2020-04-30',
      'SCT|2020-04-31|2020-02-30', 'police', 'intake', 'SCT', 'CAT', 'SGTVT',
    );
  });
  afterAll(async () => Promise.all(Object.values(running).map((r) => r.server.close())));

  it.each(SUBGRAPHS.map((s) => [s.name]))('when %s gets representations of any shape, then it answers each with data or a coded refusal, never an internal error', async (name) => {
    const schema = buildSchema(readFileSync(join(SCHEMA_DIR, `${name}.graphql`), 'utf8'), { assumeValidSDL: true });
    const entities = Object.values(schema.getTypeMap()).filter((t): t is GraphQLObjectType => isObjectType(t) && directiveFields(t.astNode, 'key').length > 0);
    expect(entities.length).toBeGreaterThan(1);
    const representation = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...entities).chain((type) => {
        const fields: Record<string, fc.Arbitrary<unknown>> = {};
        for (const key of directiveFields(type.astNode, 'key')) for (const k of key.split(/\s+/)) fields[k] = fc.oneof({ weight: 6, arbitrary: leaf(getNamedType(type.getFields()[k].type), known) }, fc.jsonValue());
        for (const f of Object.values(type.getFields())) {
          for (const requires of directiveFields(f.astNode, 'requires')) {
            for (const s of selectionOf(requires).selections as FieldNode[]) {
              fields[s.name.value] = gathered(schema, type.getFields()[s.name.value].type, s.selectionSet, known);
            }
          }
        }
        return fc.record({ __typename: fc.constant(type.name), ...fields }, { requiredKeys: ['__typename'] });
      }) },
      fc.record({ __typename: fc.oneof(fc.string(), fc.constantFrom('Query', 'Mutation', ...entities.map((e) => e.name))) }),
      fc.jsonValue(),
    );
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { __typename ${entities.map((t) => `... on ${t.name} { ${selectionFor(t)} }`).join(' ')} } }`;
    await fc.assert(
      fc.asyncProperty(fc.array(representation, { minLength: 1, maxLength: 4 }), fc.constantFrom(...CALLERS), async (representations, caller) => {
        const res = await signedCall(running[name], name, query, { r: representations }, caller);
        const errors: { message: string; path?: unknown[]; extensions?: { code?: string } }[] = res.errors ?? [];
        expect(errors.filter((e) => !REFUSALS.has(String(e.extensions?.code))).map((e) => [e.extensions?.code, e.message, e.path?.join('.')])).toEqual([]);
        if (!errors.length) expect(res.data._entities).toHaveLength(representations.length);
      }),
      { numRuns: 100 },
    );
  });
});
