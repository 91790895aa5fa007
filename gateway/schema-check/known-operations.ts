import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type GraphQLSchema, parse, validate } from 'graphql';
import { PROJECT_ROOT } from '../../subgraphs/kit/paths';
import { QUERY as EXPORT_QUERY } from '../exports';
import { QUERY as NATIONAL_SYNC_QUERY } from '../national-sync';

/** An operation a client is known to send, named as its owner would recognise it. */
export interface KnownOperation {
  name: string;
  source: string;
  document: string;
}

/** The fenced ```graphql blocks of a Markdown text, those inside list items too, without their indentation. */
export function graphqlBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^( *)```graphql\n([\s\S]*?)\n\1```$/gm)]
    .map((m) => m[2].split('\n').map((line) => line.slice(m[1].length)).join('\n'));
}

const operationName = (document: string) => document.match(/^\s*(?:query|mutation|subscription)\s+(\w+)/m)?.[1];

/**
 * What clients send today: the dashboard's persisted documents (the only ones the gateway lets it send), the
 * README's examples, and the operations the gateway itself runs (the report export, the national sync).
 */
export async function knownOperations(root = PROJECT_ROOT): Promise<KnownOperation[]> {
  const manifest: Record<string, string> = JSON.parse(await readFile(join(root, 'dashboard/src/gql/persisted-documents.json'), 'utf8'));
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  return [
    ...Object.values(manifest).map((document) => ({ name: operationName(document) ?? 'anonymous', source: 'dashboard', document })),
    ...graphqlBlocks(readme).map((document, i) => ({
      name: operationName(document) ?? `example ${i + 1} (${document.replace(/\s+/g, ' ').trim().slice(0, 40)}…)`,
      source: 'README',
      document,
    })),
    { name: 'Export', source: 'gateway: report exports', document: EXPORT_QUERY },
    { name: 'NationalSync', source: 'gateway: national sync', document: NATIONAL_SYNC_QUERY },
  ];
}

/** Each operation the schema no longer validates, with GraphQL's first reason. */
export function brokenOperations(schema: GraphQLSchema, operations: KnownOperation[]): { operation: KnownOperation; reason: string }[] {
  return operations.flatMap((operation) => {
    const errors = validate(schema, parse(operation.document));
    return errors.length ? [{ operation, reason: errors[0].message }] : [];
  });
}
