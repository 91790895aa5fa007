import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse, print, visit } from 'graphql';
import { SCHEMA_DIR } from '../../subgraphs/kit/paths';
import { SUBGRAPHS } from '../../subgraphs/registry';

/**
 * The committed subgraph SDLs composed as `npm run compose` does, each first passed through `edit`, with any
 * `extra` subgraphs beside them.
 */
export function composeCommitted(
  edit: (name: string, sdl: string) => string = (_n, sdl) => sdl,
  extra: { name: string; url: string; sdl: string }[] = [],
): string {
  const result = composeServices([
    ...SUBGRAPHS.map((s) => ({
      name: s.name,
      url: `http://127.0.0.1:${s.port}/graphql`,
      typeDefs: parse(edit(s.name, readFileSync(join(SCHEMA_DIR, `${s.name}.graphql`), 'utf8'))),
    })),
    ...extra.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })),
  ]);
  if (result.errors) throw new Error(`composition failed: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.supergraphSdl;
}

/** A subgraph SDL without one field of one object type (which must be there). */
export function withoutField(sdl: string, type: string, field: string): string {
  let removed = false;
  const edited = visit(parse(sdl), {
    ObjectTypeDefinition(node) {
      if (node.name.value !== type) return undefined;
      const fields = node.fields?.filter((f) => f.name.value !== field);
      removed = fields?.length !== node.fields?.length;
      return { ...node, fields };
    },
  });
  if (!removed) throw new Error(`${type}.${field} is not in the SDL`);
  return print(edited);
}
