import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type GraphQLSchema, Kind, parse, validate } from 'graphql';
import { PROJECT_ROOT } from '../../subgraphs/kit/paths';
import { QUERY as EXPORT_QUERY } from '../exports';
import { QUERY as NATIONAL_SYNC_QUERY } from '../national-sync';
import { curlSteps, fencedBlocks, stepQueries } from './readme-examples';

/** An operation a client is known to send, named as its owner would recognise it. */
export interface KnownOperation {
  name: string;
  source: string;
  document: string;
}

/**
 * The operation's own name, or, for the README's anonymous ones, what it asks for (`mutation { receiveDossier }`):
 * a block number alone would not survive an edit of the README.
 */
export function operationName(document: string): string {
  const op = parse(document).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (!op) return 'fragments only';
  if (op.name) return op.name.value;
  const fields = op.selectionSet.selections.map((s) => (s.kind === Kind.FIELD ? s.name.value : '…'));
  return `${op.operation} { ${fields.join(' ')} }`;
}

/**
 * What clients send today: the dashboard's persisted documents (the only ones the gateway lets it send), the
 * README's examples and its curl walkthrough, and the operations the gateway itself runs (the report export, the
 * national sync).
 */
export async function knownOperations(root = PROJECT_ROOT): Promise<KnownOperation[]> {
  const manifest: Record<string, string> = JSON.parse(await readFile(join(root, 'dashboard/src/gql/persisted-documents.json'), 'utf8'));
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const found = [
    ...Object.values(manifest).map((document) => ({ source: 'dashboard', document })),
    ...fencedBlocks(readme, 'graphql').map((document, i) => ({ source: `README example ${i + 1}`, document })),
    ...curlSteps(readme).flatMap((step, i) => stepQueries(step).map((document) => ({ source: `README step ${i + 1}`, document }))),
    { source: 'gateway: report exports', document: EXPORT_QUERY },
    { source: 'gateway: national sync', document: NATIONAL_SYNC_QUERY },
  ];
  return found.map((o) => ({ ...o, name: operationName(o.document) }));
}

/** Each operation the schema no longer validates, with GraphQL's first reason. */
export function brokenOperations(schema: GraphQLSchema, operations: KnownOperation[]): { operation: KnownOperation; reason: string }[] {
  return operations.flatMap((operation) => {
    const errors = validate(schema, parse(operation.document));
    return errors.length ? [{ operation, reason: errors[0].message }] : [];
  });
}
