import type { TypedDocumentNode } from '@graphql-typed-document-node/core';

/** The name the gateway knows the dashboard by: in production it may send only its persisted documents. */
export const CLIENT_NAME = 'motcua-dashboard';

export interface GraphError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; departmentCode?: string; subgraph?: string; requestId?: string; field?: string };
}

export interface Answer<T> {
  data: T | null;
  errors: GraphError[];
}

/** A failure with no answer at all (network, HTTP): shown as the error it maps to. */
export class RequestFailed extends Error {
  constructor(readonly error: GraphError) {
    super(error.message);
  }
}

const hashOf = (document: unknown): string => {
  const hash = (document as { __meta__?: { hash?: string } }).__meta__?.hash;
  if (!hash) throw new Error('a document without its persisted hash: run npm run codegen');
  return hash;
};

/**
 * Runs a persisted document by its id: the text never leaves the build. The token goes in the Authorization
 * header, never in a URL. Partial answers (a department withheld) come back with their errors.
 */
export async function request<T, V>(document: TypedDocumentNode<T, V>, variables: V, token: string | null): Promise<Answer<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-graphql-client-name': CLIENT_NAME };
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ documentId: hashOf(document), variables }) });
  } catch {
    throw new RequestFailed({ message: 'network', extensions: { code: 'NETWORK' } });
  }
  const body = (await res.json().catch(() => null)) as { data?: T; errors?: GraphError[] } | null;
  if (!body || (!body.data && !body.errors?.length)) throw new RequestFailed({ message: `HTTP ${res.status}`, extensions: { code: res.status === 429 ? 'RATE_LIMITED' : 'INTERNAL_SERVER_ERROR' } });
  return { data: body.data ?? null, errors: body.errors ?? [] };
}

/** Downloads one of the gateway's exports with the token as a header, then hands the file to the browser. */
export async function download(path: string, token: string): Promise<void> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { errors?: GraphError[] } | null;
    throw new RequestFailed(body?.errors?.[0] ?? { message: `HTTP ${res.status}`, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  }
  const name = /filename="?([^";]+)"?/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? path.split('/').pop()!.split('?')[0];
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
