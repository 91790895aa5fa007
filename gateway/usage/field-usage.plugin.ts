import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { DocumentNode, FragmentDefinitionNode, GraphQLSchema, Kind, OperationDefinitionNode, TypeInfo, visit, visitWithTypeInfo } from 'graphql';
import { Counter, Registry } from 'prom-client';

/** Distinct self-named clients given a label of their own, besides the known ones; later names are `other`. */
export const MAX_CLIENTS = 20;

/**
 * A name a client may give itself: short, lower case, starting with a letter, no markup; and no run of five digits,
 * so no citizen ID, phone number or date of birth becomes a label, whatever a client puts in its header.
 */
const wellFormed = (name: string) => /^[a-z][a-z0-9-]{0,31}$/.test(name) && !/\d{5}/.test(name);

/**
 * Labels the gateway writes itself: no header may claim them, so `gateway` is always its own routes' operations
 * (report exports, national sync, the report cache's revision mark), which reach Apollo without an HTTP request.
 */
const IN_PROCESS = 'gateway';
const OVERFLOW = 'other';
const UNNAMED = 'unknown';
const RESERVED = new Set([IN_PROCESS, OVERFLOW, UNNAMED]);

type FieldRef = readonly [type: string, field: string];

/**
 * Every (parent type, field) the operation selects, through inline fragments and the named fragments it reaches,
 * each once. The parent is the type the field is selected on: `processing { status }` is `Processing.status`,
 * `... on TransportProcessing { transportLicence }` is `TransportProcessing.transportLicence`. Fields under @skip
 * or @include count too: the document still names them, and would fail validation whole were one removed.
 * Introspection (`__typename`, `__schema`, `__type` and the `__` types below them) is no field of the graph.
 */
function selectedFields(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): FieldRef[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const seen = new Map<string, FieldRef>();
  const reached = new Set<string>();
  const pending: (OperationDefinitionNode | FragmentDefinitionNode)[] = [operation];
  for (let node = pending.pop(); node; node = pending.pop()) {
    const typeInfo = new TypeInfo(schema);
    visit(
      node,
      visitWithTypeInfo(typeInfo, {
        Field(field) {
          const parent = typeInfo.getParentType();
          const name = field.name.value;
          if (!parent || !typeInfo.getFieldDef() || name.startsWith('__') || parent.name.startsWith('__')) return;
          const key = `${parent.name}.${name}`;
          if (!seen.has(key)) seen.set(key, [parent.name, name]);
        },
        FragmentSpread(spread) {
          const fragment = fragments.get(spread.name.value);
          if (fragment && !reached.has(fragment.name.value)) {
            reached.add(fragment.name.value);
            pending.push(fragment);
          }
        },
      }),
    );
  }
  return [...seen.values()];
}

/**
 * `motcua_field_usage_total{type,field,client}`: requests whose operation selects each field, by client, so a
 * department can see when a field it deprecated is no longer asked for. Counted once per request, not per
 * occurrence: the question is whether a client still depends on the field, and a document naming it in three
 * fragments, or a list resolving it for a hundred items, depends on it no more than one naming it once. Counted
 * from the validated document when the operation is resolved, before execution: what a client asks for, whatever
 * the answer (a refusal, an unavailable system) turns out to be.
 *
 * Every label is bounded. `type` and `field` exist in the served schema (the document is validated against it).
 * `client` is the request's `x-graphql-client-name` (the name trusted documents go by), else Apollo's
 * `apollographql-client-name`: a known client (`knownClients`: the dashboard, the clients held to trusted
 * documents) always has its own label; any other well-formed name (at most 32 characters of [a-z0-9-], a letter
 * first, no five digits in a row) has one while fewer than MAX_CLIENTS such names have been seen by this process,
 * and is `other` after that or when malformed; a request naming none is `unknown`, and the gateway's own
 * in-process operations are `gateway`. So at most knownClients + MAX_CLIENTS + 3 client values per process.
 * Which names get the MAX_CLIENTS labels is first come, per replica: a restart may give them to others.
 */
export function fieldUsage<C extends BaseContext>(registry: Registry, o: { knownClients: Iterable<string> }): ApolloServerPlugin<C> {
  const counter = new Counter({
    name: 'motcua_field_usage_total',
    help: 'Requests whose operation selects the field (type: the type it is selected on), by client (x-graphql-client-name or apollographql-client-name; other: past the bound or malformed, unknown: none given, gateway: its own routes).',
    labelNames: ['type', 'field', 'client'] as const,
    registers: [registry],
  });
  const known = new Set([...o.knownClients].filter((c) => !RESERVED.has(c)));
  const admitted = new Set<string>();
  const clientLabel = (name: string | undefined): string => {
    if (name === undefined || name === '') return UNNAMED;
    if (known.has(name) || admitted.has(name)) return name;
    if (RESERVED.has(name) || !wellFormed(name) || admitted.size >= MAX_CLIENTS) return OVERFLOW;
    admitted.add(name);
    return name;
  };
  // Apollo keeps one parsed document per query text, and a supergraph reload makes a new schema: the walk is
  // done once per operation and schema.
  const walked = new WeakMap<OperationDefinitionNode, { schema: GraphQLSchema; fields: FieldRef[] }>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          let fields = walked.get(operation);
          if (fields?.schema !== schema) walked.set(operation, (fields = { schema, fields: selectedFields(schema, document, operation) }));
          const headers = request.http?.headers;
          const client = headers ? clientLabel(headers.get('x-graphql-client-name') ?? headers.get('apollographql-client-name')) : IN_PROCESS;
          for (const [type, field] of fields.fields) counter.inc({ type, field, client });
        },
      };
    },
  };
}
