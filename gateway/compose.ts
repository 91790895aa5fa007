import 'reflect-metadata';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
// The hint codes are not re-exported from the package's index; the constants keep the list below checked by tsc.
import { HINTS } from '@apollo/composition/dist/hints';
import { printSubgraphSchema } from '@apollo/subgraph';
import { type GraphQLSchema, parse } from 'graphql';
import { SCHEMA_DIR } from '../subgraphs/kit/paths';
import { buildModuleSchema } from '../subgraphs/kit/schema';
import { subgraph, SUBGRAPHS } from '../subgraphs/registry';

export interface Composition {
  subgraphs: { name: string; sdl: string }[];
  supergraph: string;
  hints: CompositionHint[];
  /** The graph clients see (no federation machinery), to validate their operations against. */
  apiSchema: GraphQLSchema;
}

export interface CompositionHint {
  code: string;
  message: string;
}

export class CompositionError extends Error {
  constructor(readonly errors: string[]) {
    super(`composition failed:\n${errors.map((e) => `  - ${e}`).join('\n')}`);
  }
}

/** Composes subgraph SDL; the URLs are defaults the gateway overrides. */
export function composeSdl(subgraphs: { name: string; sdl: string }[]): Composition {
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: `http://127.0.0.1:${subgraph(s.name).port}/graphql`, typeDefs: parse(s.sdl) })));
  if (result.errors) throw new CompositionError(result.errors.map((e) => e.message));
  return {
    subgraphs,
    supergraph: result.supergraphSdl,
    hints: result.hints.map((h) => ({ code: h.definition.code, message: h.message })),
    apiSchema: result.schema.toAPISchema().toGraphQLJSSchema(),
  };
}

/** Builds each subgraph's schema from its own code and composes them. */
export async function compose(): Promise<Composition> {
  const subgraphs = [];
  for (const s of SUBGRAPHS) subgraphs.push({ name: s.name, sdl: printSubgraphSchema(await buildModuleSchema(await s.load())) });
  return composeSdl(subgraphs);
}

/** The subgraphs' SDL as committed in schema/ (a subgraph without its file yet is left out). */
export async function committedSubgraphs(): Promise<{ name: string; sdl: string }[]> {
  const found = [];
  for (const s of SUBGRAPHS) {
    const sdl = await readCommittedSchema(`${s.name}.graphql`);
    if (sdl !== null) found.push({ name: s.name, sdl });
  }
  return found;
}

/**
 * The hints that say the query planner would route differently than the committed graph does: a field or a member
 * some subgraphs lack, types that disagree between them. Hints the committed composition already gives are the plan
 * as it stands; descriptions and directive bookkeeping change no plan.
 */
const PLAN_HINTS = new Set([
  HINTS.INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE, HINTS.INCONSISTENT_BUT_COMPATIBLE_ARGUMENT_TYPE, HINTS.INCONSISTENT_DEFAULT_VALUE_PRESENCE,
  HINTS.INCONSISTENT_ENTITY, HINTS.INCONSISTENT_OBJECT_VALUE_TYPE_FIELD, HINTS.INCONSISTENT_INTERFACE_VALUE_TYPE_FIELD,
  HINTS.INCONSISTENT_INPUT_OBJECT_FIELD, HINTS.INCONSISTENT_UNION_MEMBER, HINTS.INCONSISTENT_ENUM_VALUE_FOR_INPUT_ENUM,
  HINTS.INCONSISTENT_ENUM_VALUE_FOR_OUTPUT_ENUM, HINTS.INCONSISTENT_RUNTIME_TYPES_FOR_SHAREABLE_RETURN, HINTS.OVERRIDE_MIGRATION_IN_PROGRESS,
  HINTS.CONTEXTUAL_ARGUMENT_NOT_CONTEXTUAL_IN_ALL_SUBGRAPHS,
].map((h) => h.code));

export function newPlanHints(now: CompositionHint[], before: CompositionHint[]): CompositionHint[] {
  const known = new Set(before.map((h) => `${h.code}|${h.message}`));
  return now.filter((h) => PLAN_HINTS.has(h.code) && !known.has(`${h.code}|${h.message}`));
}

export function schemaFiles(c: Composition): Record<string, string> {
  const files: Record<string, string> = {};
  for (const s of c.subgraphs) files[`${s.name}.graphql`] = `${s.sdl.trimEnd()}\n`;
  files['supergraph.graphql'] = `${c.supergraph.trimEnd()}\n`;
  return files;
}

export async function readCommittedSchema(name: string): Promise<string | null> {
  return readFile(join(SCHEMA_DIR, name), 'utf8').catch(() => null);
}

/** `npm run compose -- --check`: what composing would change, and a refusal on an error or a new plan hint; writes nothing. */
async function check(composed: Composition): Promise<boolean> {
  const committed = await committedSubgraphs();
  const before = committed.length ? composeSdl(committed).hints : [];
  for (const [name, text] of Object.entries(schemaFiles(composed))) {
    if ((await readCommittedSchema(name)) !== text) console.log(`would write schema/${name}`);
  }
  const hints = newPlanHints(composed.hints, before);
  for (const h of hints) console.log(`PLAN HINT ${h.code}: ${h.message}`);
  console.log(hints.length ? `composition changes the query plan: ${hints.length} new hints (nothing written)` : 'composition ok: no error, no new hint that changes the plan');
  return hints.length === 0;
}

async function main(): Promise<void> {
  try {
    const composed = await compose();
    if (process.argv.includes('--check')) {
      if (!(await check(composed))) process.exitCode = 1;
      return;
    }
    const files = schemaFiles(composed);
    await mkdir(SCHEMA_DIR, { recursive: true });
    for (const [name, text] of Object.entries(files)) {
      const before = await readCommittedSchema(name);
      await writeFile(join(SCHEMA_DIR, name), text);
      console.log(`${before === text ? 'unchanged' : 'wrote    '} schema/${name}`);
    }
  } catch (e) {
    console.error(e instanceof CompositionError ? e.message : e);
    process.exitCode = 1;
  }
}

if (require.main === module) void main();
