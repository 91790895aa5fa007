import { DocumentNode, Kind, OperationDefinitionNode, parse, SelectionSetNode } from 'graphql';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { SubgraphEntry } from '../../subgraphs/registry';
import type { OperationKind } from './deadline';
import { entitiesAt, entityPositions } from './entity-paths';

export type System = Pick<SubgraphEntry, 'name' | 'departmentCode'>;

export function unavailableMessage(system: System, kind: OperationKind): string {
  // Service names are internal (extensions.subgraph carries it, for operators and clients that route on it).
  const who = system.departmentCode ? `the system of department ${system.departmentCode}` : 'a system this answer needs';
  return kind === 'mutation'
    ? `${who} did not answer; repeat the mutation with the same idempotencyKey: it is applied once`
    : `${who} is not answering; try again later`;
}

/** The query planner writes a subgraph operation as `mutation Name…`, `query Name…` or `{…}`. */
export function kindOf(query: string): OperationKind {
  return /^\s*mutation\b/.test(query) ? 'mutation' : 'query';
}

/** The fetch's operation, parsed only when a call failed: the planner keeps no document unless told to. */
export function operationOf(document: DocumentNode | undefined, query: string): OperationDefinitionNode | undefined {
  return (document ?? parse(query)).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
}

function responseKeys(selectionSet: SelectionSetNode, into = new Set<string>()): Set<string> {
  for (const s of selectionSet.selections) {
    if (s.kind === Kind.FIELD) into.add(s.alias?.value ?? s.name.value);
    else if (s.kind === Kind.INLINE_FRAGMENT) responseKeys(s.selectionSet, into);
  }
  return into;
}

/**
 * The answer standing for a call that got none: no data, and one UNAVAILABLE error on each field the call was for.
 * @apollo/gateway places an error it is given at `['_entities', i]` on the i-th entity at the fetch's path and one at
 * `[key]` of a root fetch on that field of the response, so the rest of the answer stands; a thrown error would be
 * pathless. Nothing internal: no URL, no cause, no stack.
 */
export function unavailableAnswer(
  system: System,
  o: {
    operation: OperationDefinitionNode | undefined;
    representations: unknown[] | undefined;
    /** Where the fetch's entities are in the response, '@' for lists. */
    path: readonly (string | number)[] | undefined;
    /** The data of the request's root fetches so far. */
    roots: readonly object[];
  },
): GatewayGraphQLResponse {
  const kind: OperationKind = o.operation?.operation === 'mutation' ? 'mutation' : 'query';
  const error = (path?: (string | number)[]) => ({
    message: unavailableMessage(system, kind),
    ...(path && { path }),
    extensions: { code: 'UNAVAILABLE', subgraph: system.name, ...(system.departmentCode && { departmentCode: system.departmentCode }) },
  });
  let paths: (string | number)[][] | null = null;
  if (o.representations) {
    const positions = o.path ? entityPositions(entitiesAt(o.roots, o.path), o.representations) : null;
    paths = positions && positions.map((p) => ['_entities', p]);
  } else if (o.operation) {
    paths = [...responseKeys(o.operation.selectionSet)].map((key) => [key]);
  }
  return { data: null, errors: paths?.length ? paths.map(error) : [error()] } as GatewayGraphQLResponse;
}
