import 'reflect-metadata';
import { compose, CompositionError, readCommittedSchema } from '../gateway/compose';
import { acceptedChanges, isAccepted } from '../gateway/schema-check/changes-file';
import { brokenOperations, knownOperations } from '../gateway/schema-check/known-operations';
import { SchemaChange, subgraphChanges } from '../gateway/schema-check/schema-diff';

/**
 * npm run schema:check: each subgraph's schema as its code builds it against schema/<name>.graphql as it is in the
 * working tree, every change classified (SAFE, DANGEROUS, BREAKING) by GraphQL Inspector; then every operation
 * clients are known to send validated against the graph composed from the code. Fails on a breaking change not
 * listed with its reason in schema/changes.json, and on any known operation that no longer validates.
 */
async function main(): Promise<boolean> {
  const composed = await compose();
  const changes: SchemaChange[] = [];
  for (const s of composed.subgraphs) changes.push(...(await subgraphChanges(s.name, await readCommittedSchema(`${s.name}.graphql`), s.sdl)));
  const { accepted, problems } = await acceptedChanges();
  for (const p of problems) console.log(`ERROR     ${p}`);
  const refused = changes.filter((c) => c.level === 'BREAKING' && !isAccepted(c, accepted));
  for (const c of changes) {
    const note = c.level === 'BREAKING' ? (isAccepted(c, accepted) ? '  (accepted in schema/changes.json)' : '  (not in schema/changes.json)') : '';
    console.log(`${c.level.padEnd(9)} ${c.subgraph.padEnd(15)} ${c.path.padEnd(40)} ${c.message}${note}`);
  }
  const operations = await knownOperations();
  const broken = brokenOperations(composed.apiSchema, operations);
  for (const b of broken) console.log(`BROKEN    operation "${b.operation.name}" (${b.operation.source}) no longer validates: ${b.reason}`);
  if (broken.length) console.log('          a known operation is a client in use: change it first; schema/changes.json does not excuse breaking it');
  const counts = (['SAFE', 'DANGEROUS', 'BREAKING'] as const).map((l) => `${changes.filter((c) => c.level === l).length} ${l.toLowerCase()}`).join(', ');
  const ok = !problems.length && !refused.length && !broken.length;
  console.log(`${ok ? 'schema:check passed' : 'schema:check failed'}: ${counts} changes, ${refused.length} breaking not accepted; ${operations.length - broken.length} of ${operations.length} known operations validate`);
  return ok;
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (e) => {
    console.error(`schema:check: ${e instanceof CompositionError || e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
