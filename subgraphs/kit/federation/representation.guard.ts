import {
  FieldNode,
  getNamedType,
  getNullableType,
  GraphQLField,
  GraphQLFieldResolver,
  GraphQLNamedType,
  GraphQLSchema,
  GraphQLType,
  isCompositeType,
  isInterfaceType,
  isLeafType,
  isListType,
  isObjectType,
  Kind,
  parse,
  SelectionSetNode,
} from 'graphql';
import { badUserInput } from '../errors';

/**
 * What an `_entities` representation of a type may hold: its key fields, and the fields its `@requires` name, each
 * with the fields inside it that every `@requires` reaching it asks for (`required`) and those only some do.
 */
interface Shape {
  fields: Map<string, { type: GraphQLType; shape?: Shape; required: boolean }>;
}

interface Entity {
  keys: string[][];
  requires?: Shape;
}

const argumentOf = (directives: readonly { name: { value: string }; arguments?: readonly { name: { value: string }; value: { kind: string; value?: string } }[] }[] | undefined, name: string) =>
  (directives ?? []).filter((d) => d.name.value === name).map((d) => String(d.arguments?.find((a) => a.name.value === 'fields')?.value.value ?? ''));

const selectionOf = (fields: string): SelectionSetNode => (parse(`{ ${fields} }`).definitions[0] as { selectionSet: SelectionSetNode }).selectionSet;

/** The fields a selection names under `type`, inline fragments flattened onto the types they name. */
function fieldsOf(schema: GraphQLSchema, type: GraphQLNamedType, selection: SelectionSetNode): { node: FieldNode; field: GraphQLField<unknown, unknown> }[] {
  const out: { node: FieldNode; field: GraphQLField<unknown, unknown> }[] = [];
  for (const s of selection.selections) {
    if (s.kind === Kind.FIELD) {
      const field = (isObjectType(type) || isInterfaceType(type)) && type.getFields()[s.name.value];
      if (field) out.push({ node: s, field });
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      out.push(...fieldsOf(schema, s.typeCondition ? (schema.getType(s.typeCondition.name.value) ?? type) : type, s.selectionSet));
    }
  }
  return out;
}

/** The shape of several selections of one type: a field is required when every selection names it. */
function shapeOf(schema: GraphQLSchema, type: GraphQLNamedType, selections: SelectionSetNode[]): Shape {
  const named = selections.map((s) => fieldsOf(schema, type, s));
  const shape: Shape = { fields: new Map() };
  const names = new Set(named.flatMap((fields) => fields.map((f) => f.node.name.value)));
  for (const name of names) {
    const uses = named.map((fields) => fields.filter((f) => f.node.name.value === name));
    const all = uses.flat();
    const inner = all.map((f) => f.node.selectionSet).filter((s): s is SelectionSetNode => !!s);
    const fieldType = all[0].field.type;
    shape.fields.set(name, {
      type: fieldType,
      shape: inner.length ? shapeOf(schema, getNamedType(fieldType), inner) : undefined,
      required: uses.every((u) => u.length > 0),
    });
  }
  return shape;
}

function entitiesOf(schema: GraphQLSchema): Map<string, Entity> {
  const entities = new Map<string, Entity>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    const keys = argumentOf(type.astNode?.directives as never, 'key');
    if (!keys.length) continue;
    const requires = Object.values(type.getFields()).flatMap((f) => argumentOf(f.astNode?.directives as never, 'requires')).map(selectionOf);
    entities.set(type.name, {
      keys: keys.map((k) => selectionOf(k).selections.map((s) => (s as FieldNode).name.value)),
      requires: requires.length ? shapeOf(schema, type, requires) : undefined,
    });
  }
  return entities;
}

/** A leaf value as its type parses it (an ID sent as a number becomes its string), or the problem with it. */
function parseLeaf(value: unknown, type: GraphQLNamedType): { problem: string } | { value: unknown } {
  if (!isLeafType(type)) return { value };
  try {
    const parsed = type.parseValue(value);
    if (parsed !== undefined) return { value: parsed };
  } catch {
    // A value the type refuses: the same answer as undefined.
  }
  return { problem: `is not a ${type.name}` };
}

/**
 * Checks a gathered value against its shape and drops what a router sends for a list item it gathered nothing for
 * (null, or an object with none of the fields: the Rust planner sends null for an item of a type the selection's
 * fragments do not name). Returns the problem with its path, or the cleaned value.
 */
function conform(value: unknown, type: GraphQLType, shape: Shape | undefined, path: string): { problem: string } | { value: unknown } {
  if (value === null || value === undefined) return { value: null };
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    if (!Array.isArray(value)) return { problem: `${path} is not a list` };
    const items: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (item === null || item === undefined) continue;
      if (shape && typeof item === 'object' && !Array.isArray(item) && ![...shape.fields.keys()].some((f) => f in item)) continue;
      const checked = conform(item, nullable.ofType, shape, `${path}[${i}]`);
      if ('problem' in checked) return checked;
      items.push(checked.value);
    }
    return { value: items };
  }
  const named = getNamedType(type);
  if (!isCompositeType(named) || !shape) {
    const parsed = parseLeaf(value, named);
    return 'problem' in parsed ? { problem: `${path} ${parsed.problem}` } : parsed;
  }
  if (typeof value !== 'object' || Array.isArray(value)) return { problem: `${path} is not an object` };
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [name, f] of shape.fields) {
    const inner = out[name];
    if (inner === undefined) {
      if (f.required) return { problem: `${path}.${name} is missing` };
      continue;
    }
    const checked = conform(inner, f.type, f.shape, `${path}.${name}`);
    if ('problem' in checked) return checked;
    out[name] = checked.value;
  }
  return { value: out };
}

/** A representation checked against its type, or the problem with it, which names the representation by its index. */
function checkRepresentation(schema: GraphQLSchema, entities: Map<string, Entity>, representation: unknown, i: number): unknown {
  const at = `representations[${i}]`;
  if (!representation || typeof representation !== 'object' || Array.isArray(representation)) throw badUserInput(`${at} is not an object`);
  const r = representation as Record<string, unknown>;
  const typename = r.__typename;
  const entity = typeof typename === 'string' ? entities.get(typename) : undefined;
  if (!entity) throw badUserInput(`${at}: this subgraph has no entity ${typeof typename === 'string' ? typename.slice(0, 60) : 'without a __typename'}`);
  const type = schema.getType(typename as string) as GraphQLNamedType & { getFields(): Record<string, GraphQLField<unknown, unknown>> };
  const keyOf = (key: string[]) => {
    const values: Record<string, unknown> = {};
    for (const f of key) {
      const parsed = r[f] === undefined || r[f] === null ? undefined : parseLeaf(r[f], getNamedType(type.getFields()[f].type));
      if (!parsed || 'problem' in parsed) return undefined;
      values[f] = parsed.value;
    }
    return values;
  };
  const key = entity.keys.map(keyOf).find(Boolean);
  if (!key) throw badUserInput(`${at}: a ${typename} is found by ${entity.keys.map((k) => k.join(' ')).join(' or ')}, which it lacks or holds in the wrong type`);
  const out: Record<string, unknown> = { ...r, ...key };
  if (!entity.requires) return out;
  for (const [name, f] of entity.requires.fields) {
    if (r[name] === undefined) continue;
    const checked = conform(r[name], f.type, f.shape, `${at}.${name}`);
    if ('problem' in checked) throw badUserInput(checked.problem);
    out[name] = checked.value;
  }
  return out;
}

/**
 * `_entities` answers any representation with data or a coded error, each on its own: one that names no entity of this subgraph,
 * lacks its key, or holds a gathered field of the wrong shape is BAD_USER_INPUT naming which and where, before any
 * resolver sees it. What a router gathers is checked against the schema's own `@requires`, so a resolver may take
 * the shapes it declares for granted (a field another `@requires` adds may still be absent).
 */
export function guardRepresentations(schema: GraphQLSchema): GraphQLSchema {
  const entities = entitiesOf(schema);
  const field = schema.getQueryType()?.getFields()._entities;
  if (!field?.resolve) return schema;
  const resolve = field.resolve as GraphQLFieldResolver<unknown, unknown, { representations: unknown }>;
  field.resolve = (source, args, context, info) => {
    if (!Array.isArray(args.representations)) throw badUserInput('representations is not a list');
    const representations = (args.representations as unknown[]).map((r, i) => checkRepresentation(schema, entities, r, i));
    // One at a time, in the same tick (the loaders still batch them): a reference resolver that throws at once
    // would otherwise abort @apollo/subgraph's map and leave the promises made before it rejected, unhandled, which
    // ends a Node process. Its error becomes that entity's.
    return representations.map((representation) => {
      try {
        return (resolve(source, { ...args, representations: [representation] }, context, info) as unknown[])[0];
      } catch (e) {
        return e instanceof Error ? e : new Error(String(e));
      }
    });
  };
  return schema;
}
