import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';

/**
 * Trusted documents: the operations a known client (the dashboard) was built with, persisted at its build as a
 * manifest of SHA-256 → document (GraphQL Code Generator's client preset writes it). A client sends a document's
 * id (`documentId`, or Apollo's `extensions.persistedQuery.sha256Hash`) instead of its text; a client listed in
 * `enforcedClients` (by its `x-graphql-client-name`) may send nothing else, so a token stolen from that client
 * cannot run arbitrary operations in its name.
 */
export interface TrustedDocuments {
  documents: ReadonlyMap<string, string>;
  enforcedClients: ReadonlySet<string>;
}

export type DocumentAdmission =
  | { ok: true; body: unknown }
  | { ok: false; status: number; code: string; message: string };

const HASH = /^(?:sha256:)?([0-9a-f]{64})$/;

export const documentHash = (document: string) => createHash('sha256').update(document).digest('hex');

/** The manifests' documents (files that are absent contribute none), each checked to hash to its key. */
export function loadTrustedDocuments(files: string[], enforcedClients: string[]): TrustedDocuments {
  const documents = new Map<string, string>();
  for (const file of files.filter((f) => existsSync(f))) {
    const manifest: Record<string, string> = JSON.parse(readFileSync(file, 'utf8'));
    for (const [key, document] of Object.entries(manifest)) {
      // The client preset writes its keys as `sha256:<hex>`; other tools write the bare hex.
      const hash = key.replace(/^sha256:/, '');
      if (documentHash(document) !== hash) throw new Error(`${file}: the document under ${hash.slice(0, 12)}… does not hash to its key`);
      documents.set(hash, document);
    }
  }
  return { documents, enforcedClients: new Set(enforcedClients) };
}

/** A request body with a persisted document's id made into its text; a free-form one refused for an enforced client. */
export function admitDocument(trusted: TrustedDocuments, clientName: string | undefined, body: unknown): DocumentAdmission {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { ok: true, body };
  const b = body as { query?: unknown; documentId?: unknown; extensions?: { persistedQuery?: { sha256Hash?: unknown } } & Record<string, unknown> };
  const apqHash = b.extensions?.persistedQuery?.sha256Hash;
  // An APQ hash the manifest lacks is Apollo's: looked up or registered when automatic persisted queries are on,
  // PERSISTED_QUERY_NOT_SUPPORTED when they are off.
  const id = b.documentId ?? (typeof apqHash === 'string' && trusted.documents.has(apqHash) ? apqHash : undefined);
  if (id !== undefined) {
    const hash = typeof id === 'string' ? HASH.exec(id)?.[1] : undefined;
    const document = hash && trusted.documents.get(hash);
    if (!document) return { ok: false, status: 404, code: 'PERSISTED_QUERY_NOT_FOUND', message: 'no persisted document has this id: the client was built against another version' };
    if (typeof b.query === 'string' && b.query !== document) return { ok: false, status: 400, code: 'BAD_USER_INPUT', message: 'the query is not the persisted document its id names' };
    const { documentId: _, extensions, ...rest } = b;
    const { persistedQuery: __, ...otherExtensions } = extensions ?? {};
    return { ok: true, body: { ...rest, query: document, ...(Object.keys(otherExtensions).length ? { extensions: otherExtensions } : {}) } };
  }
  if (clientName !== undefined && trusted.enforcedClients.has(clientName)) {
    const known = typeof b.query === 'string' && trusted.documents.has(documentHash(b.query));
    if (!known) return { ok: false, status: 403, code: 'FORBIDDEN', message: `the client ${clientName.slice(0, 40)} may send only the operations it was built with (persisted documents)` };
  }
  return { ok: true, body };
}
