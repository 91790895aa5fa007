import 'reflect-metadata';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { printSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { SCHEMA_DIR } from '../subgraphs/kit/paths';
import { buildModuleSchema } from '../subgraphs/kit/schema';
import { SUBGRAPHS } from '../subgraphs/registry';


export interface Composition {
  subgraphs: { name: string; sdl: string }[];
  supergraph: string;
}

export class CompositionError extends Error {
  constructor(readonly errors: string[]) {
    super(`composition failed:\n${errors.map((e) => `  - ${e}`).join('\n')}`);
  }
}

/** Builds each subgraph's schema from its own code and composes them; the URLs are defaults the gateway overrides. */
export async function compose(): Promise<Composition> {
  const subgraphs = [];
  for (const s of SUBGRAPHS) {
    const schema = await buildModuleSchema(await s.load());
    subgraphs.push({ name: s.name, sdl: printSubgraphSchema(schema), url: `http://127.0.0.1:${s.port}/graphql` });
  }
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
  if (result.errors) throw new CompositionError(result.errors.map((e) => e.message));
  return { subgraphs: subgraphs.map(({ name, sdl }) => ({ name, sdl })), supergraph: result.supergraphSdl };
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

async function main(): Promise<void> {
  try {
    const files = schemaFiles(await compose());
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
