import { mkdtemp, open, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloGateway } from '@apollo/gateway';
import { committedSupergraph } from '../../gateway/gateway';
import { fileOrigin } from '../../gateway/supergraph/file.origin';
import { supergraphSource } from '../../gateway/supergraph/supergraph.source';
import { refusalReason, validateSupergraph } from '../../gateway/supergraph/supergraph.validate';
import { createLogger } from '../../subgraphs/kit/logger';
import { composeCommitted, withoutField } from '../support/supergraphs';

const FULL = committedSupergraph();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'motcua-supergraph-unit-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const reasonFor = (sdl: string) => validateSupergraph(sdl).then(() => 'accepted', refusalReason);

describe('validateSupergraph', () => {
  test('when the supergraph is the committed one, then it is accepted', async () => {
    await expect(validateSupergraph(FULL)).resolves.toBeUndefined();
  });

  test('when a supergraph is broken, then the reason is a code from a closed set, never its text', async () => {
    expect(await reasonFor('type Query { a')).toBe('GRAPHQL_PARSE_FAILED');
    expect(await reasonFor('type Query { a: Int }')).toBe('INVALID_FEDERATION_SUPERGRAPH');
    expect(await reasonFor(FULL.replace('hasOwnSystem: Boolean!', 'hasOwnSystem: NoSuchScalar!'))).toBe('INVALID_GRAPHQL');
    expect(await reasonFor(FULL.replace(/(interface \w+[^{]*\{)/, '$1\n  zzz: Int'))).toBe('GraphQLValidationFailed');
    expect(refusalReason(new Error('no signing secret for subgraph lottery at http://lottery.internal'))).toBe('UPDATE_FAILED');
  });
});

describe('fileOrigin', () => {
  test('when the file is unchanged, rewritten in place, or replaced by a rename, then a read answers null, the new text, the new text', async () => {
    const file = join(dir, 'origin.graphql');
    await writeFile(file, 'one');
    const origin = fileOrigin(file, { pollMs: 60_000 });
    const signal = new AbortController().signal;
    expect(await origin.read(signal)).toBe('one');
    expect(await origin.read(signal)).toBeNull();
    await writeFile(file, 'two');
    expect(await origin.read(signal)).toBe('two');
    await writeFile(`${file}.next`, 'three');
    await rename(`${file}.next`, file);
    expect(await origin.read(signal)).toBe('three');
    expect(await origin.read(signal)).toBeNull();
  });
});

describe('supergraphSource on a file', () => {
  test('when the file is written in two pieces a moment apart, then only the whole is read: one reload, no refusal', async () => {
    const file = join(dir, 'pieces.graphql');
    const reduced = composeCommitted((name, sdl) => (name === 'intake' ? withoutField(sdl, 'Department', 'hasOwnSystem') : sdl));
    await writeFile(file, reduced);
    const outcomes: string[] = [];
    const gateway = new ApolloGateway({
      supergraphSdl: supergraphSource({ file, pollMs: 60_000, log: createLogger('test', 'silent'), onReload: (o) => void outcomes.push(o) }),
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    const { schema } = await gateway.load();
    expect(schema.getType('Department')?.toConfig()).not.toHaveProperty('fields.hasOwnSystem');
    const updated = new Promise<void>((resolve) => gateway.onSchemaLoadOrUpdate(({ apiSchema }) => apiSchema !== schema && resolve()));
    try {
      const handle = await open(file, 'w');
      await handle.write(FULL.slice(0, FULL.length / 2));
      // Well inside the watcher's quiet time: a reader that did not wait would see half a supergraph.
      await new Promise((r) => setTimeout(r, 20));
      await handle.write(FULL.slice(FULL.length / 2));
      await handle.close();
      await updated;
      expect(outcomes).toEqual(['loaded']);
      expect(gateway.schema?.getType('Department')?.toConfig()).toHaveProperty('fields.hasOwnSystem');
    } finally {
      await gateway.stop();
    }
  });
});
