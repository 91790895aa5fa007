import 'reflect-metadata';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { GraphQLSchema, parse } from 'graphql';
import { buildSchema, createResolversMap } from 'type-graphql';
import { auditTrailFor } from './audit/audit-trail.resolver';
import { handoverOutboxFor, hostsHandoverQueue } from './messaging/queue/handover-outbox.resolver';
import { DateTimeScalar } from './scalars';
import { guardRepresentations } from './federation/representation.guard';
import type { SubgraphModule } from './subgraph';

/**
 * The one federation import list. Only directives every federation router understands: the composed
 * supergraph must load in Apollo Router and Hive Gateway as well as @apollo/gateway.
 */
export const FEDERATION_LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@inaccessible", "@tag", "@interfaceObject"])`;

const built = new WeakMap<SubgraphModule, Promise<GraphQLSchema>>();

/** The subgraph schema of a module, built once per process. */
export function buildModuleSchema(m: SubgraphModule): Promise<GraphQLSchema> {
  let schema = built.get(m);
  if (!schema) {
    schema = build(m);
    built.set(m, schema);
  }
  return schema;
}

async function build(m: SubgraphModule): Promise<GraphQLSchema> {
  const trail = auditTrailFor(m.name);
  const outbox = handoverOutboxFor(m.name, { host: hostsHandoverQueue(m) });
  const schema = await buildSchema({
    resolvers: [...m.resolvers, trail.resolver, outbox.resolver],
    orphanedTypes: [...(m.orphanedTypes ?? []), trail.type, ...outbox.types],
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validate: false,
    skipCheck: true,
  });
  const resolvers: Record<string, any> = { ...createResolversMap(schema) };
  for (const [type, ref] of Object.entries({ ...m.referenceResolvers, ...trail.reference, ...outbox.reference })) {
    resolvers[type] = { ...(resolvers[type] ?? {}), ...ref };
  }
  return guardRepresentations(buildSubgraphSchema([{ typeDefs: parse(`${FEDERATION_LINK}\n${printSchemaWithDirectives(schema)}`), resolvers }]));
}
