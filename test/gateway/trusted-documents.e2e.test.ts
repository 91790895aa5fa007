import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { documentHash, loadTrustedDocuments } from '../../gateway/trusted-documents/trusted-documents';
import { STAFF, startSystem, TestSystem, tokenFor } from '../support/system';

const DEPARTMENTS = 'query Departments { departments { code } }';
const PROCEDURES = 'query Procedures($dept: String) { procedures(departmentCode: $dept) { code } }';

function manifest(entries: Record<string, string>): string {
  const file = join(mkdtempSync(join(tmpdir(), 'trusted-')), 'persisted-documents.json');
  writeFileSync(file, JSON.stringify(entries));
  return file;
}

describe('trusted documents', () => {
  let system: TestSystem;
  let token: string;

  beforeAll(async () => {
    const file = manifest({ [documentHash(DEPARTMENTS)]: DEPARTMENTS, [documentHash(PROCEDURES)]: PROCEDURES });
    system = await startSystem(undefined, { gateway: { trustedDocuments: loadTrustedDocuments([file], ['dashboard']) } });
    token = await tokenFor(STAFF);
  }, 60_000);
  afterAll(() => system?.close());

  const post = async (body: unknown, client?: string) => {
    const res = await fetch(system.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(client ? { 'x-graphql-client-name': client } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };

  it.each([
    ['documentId', { documentId: documentHash(PROCEDURES), variables: { dept: 'SGTVT' } }],
    ['documentId with its prefix', { documentId: `sha256:${documentHash(PROCEDURES)}`, variables: { dept: 'SGTVT' } }],
    ['extensions.persistedQuery', { extensions: { persistedQuery: { version: 1, sha256Hash: documentHash(PROCEDURES) } }, variables: { dept: 'SGTVT' } }],
  ])('when the enforced client sends a persisted document by its %s, then the gateway runs that document', async (_, body) => {
    const { status, body: answer } = await post(body, 'dashboard');
    expect(status).toBe(200);
    expect(answer.errors).toBeUndefined();
    expect(answer.data.procedures.length).toBeGreaterThan(0);
  });

  it('when the enforced client sends an operation of its own, then it is FORBIDDEN', async () => {
    const { status, body } = await post({ query: '{ departments { code name } }' }, 'dashboard');
    expect(status).toBe(403);
    expect(body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['FORBIDDEN']);
    expect(body.data).toBeUndefined();
  });

  it('when the enforced client sends the full text of a persisted document, then it runs', async () => {
    const { body } = await post({ query: DEPARTMENTS }, 'dashboard');
    expect(body.errors).toBeUndefined();
    expect(body.data.departments.length).toBeGreaterThan(0);
  });

  it('when an id no manifest holds is sent, then it is PERSISTED_QUERY_NOT_FOUND', async () => {
    const { status, body } = await post({ documentId: documentHash('{ departments { name } }') }, 'dashboard');
    expect(status).toBe(404);
    expect(body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });

  it('when an id names one document and the text is another, then it is BAD_USER_INPUT', async () => {
    const { body } = await post({ documentId: documentHash(DEPARTMENTS), query: '{ departments { code name } }' });
    expect(body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
  });

  it('when a client not enforced sends an operation of its own, then it runs', async () => {
    const { body } = await post({ query: '{ departments { code name } }' }, 'portal');
    expect(body.errors).toBeUndefined();
    expect(body.data.departments.length).toBeGreaterThan(0);
  });

  it('when a manifest holds a document under another hash, then loading it fails naming the file', () => {
    const file = manifest({ [documentHash(DEPARTMENTS)]: PROCEDURES });
    expect(() => loadTrustedDocuments([file], [])).toThrow(`${file}: the document under ${documentHash(DEPARTMENTS).slice(0, 12)}… does not hash to its key`);
  });
});
