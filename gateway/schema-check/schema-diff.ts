import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildASTSchema, parse } from 'graphql';

export type Level = 'SAFE' | 'DANGEROUS' | 'BREAKING';

export interface SchemaChange {
  subgraph: string;
  level: Level;
  /** Type.field (or Type, Type.field.argument) the change is to. */
  path: string;
  message: string;
}

const LEVELS: Record<CriticalityLevel, Level> = {
  [CriticalityLevel.NonBreaking]: 'SAFE',
  [CriticalityLevel.Dangerous]: 'DANGEROUS',
  [CriticalityLevel.Breaking]: 'BREAKING',
};

/**
 * A subgraph's SDL as printed (federation directives used, not defined): read without validation, as GraphQL
 * Inspector only compares types, fields, arguments and values.
 */
const schemaOf = (sdl: string) => buildASTSchema(parse(sdl), { assumeValidSDL: true });

/** Every change from a subgraph's committed SDL to the SDL its code builds, classified by GraphQL Inspector. */
export async function subgraphChanges(subgraph: string, committed: string | null, built: string): Promise<SchemaChange[]> {
  // A subgraph new to the graph only adds, and nothing of it can have a client yet: one line, not one per type.
  if (committed === null) return [{ subgraph, level: 'SAFE', path: '', message: `New subgraph '${subgraph}' (no schema/${subgraph}.graphql yet): all of it is added` }];
  const changes = await diff(schemaOf(committed), schemaOf(built));
  return changes.map((c) => ({ subgraph, level: LEVELS[c.criticality.level], path: c.path ?? '', message: c.message }));
}
