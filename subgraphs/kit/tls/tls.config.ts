import { readCertificates, readPrivateKey } from './pem.files';

/** How the gateway reaches a subgraph over mutual TLS: the only CA it trusts for it, and its own certificate. */
export interface SubgraphClientTls {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/** HTTPS a subgraph serves itself: its certificate, and the CA that must have signed every caller's. */
export interface SubgraphServerTls {
  cert: Buffer;
  key: Buffer;
  clientCa: Buffer;
}

const CLIENT = { ca: 'TLS_CA', cert: 'TLS_CERT', key: 'TLS_KEY' } as const;
const SERVER = { cert: 'TLS_SERVER_CERT', key: 'TLS_SERVER_KEY', clientCa: 'TLS_CLIENT_CA' } as const;

/** The variables, after `<NAME>_`, that hold the paths of TLS files. */
export const TLS_VARIABLES: readonly string[] = [...Object.values(CLIENT), ...Object.values(SERVER)];

type Paths<K extends string> = Record<K, { variable: string; path: string }>;

/** The paths of variables that only work together: all of them, or none; each one missing is named. */
function allOrNone<K extends string>(prefix: string, suffixes: Record<K, string>, v: Record<string, unknown>, problems: string[]): Paths<K> | undefined {
  const entries = Object.entries<string>(suffixes).map(([k, suffix]) => [k, `${prefix}_${suffix}`] as const);
  const set = entries.filter(([, variable]) => typeof v[variable] === 'string');
  if (!set.length) return undefined;
  if (set.length < entries.length) {
    const given = set.map(([, variable]) => variable).join(', ');
    for (const [, variable] of entries) if (!set.some(([, s]) => s === variable)) problems.push(`${variable}: required with ${given}`);
    return undefined;
  }
  return Object.fromEntries(entries.map(([k, variable]) => [k, { variable, path: v[variable] as string }])) as Paths<K>;
}

function attempt<T>(variable: string, problems: string[], work: () => T): T | undefined {
  try {
    return work();
  } catch (e) {
    problems.push(`${variable}: ${(e as Error).message}`);
    return undefined;
  }
}

/** A certificate and its key, read and checked to belong together. */
function certificateAndKey(cert: { variable: string; path: string }, key: { variable: string; path: string }, problems: string[]) {
  const c = attempt(cert.variable, problems, () => readCertificates(cert.path));
  const k = attempt(key.variable, problems, () => readPrivateKey(key.path));
  if (!c || !k) return undefined;
  if (!c.first.checkPrivateKey(k.key)) {
    problems.push(`${key.variable}: not the key of the certificate in ${cert.variable}`);
    return undefined;
  }
  return { cert: c.pem, key: k.pem };
}

/**
 * A subgraph's TLS files, read once at start-up so that a wrong one stops the process naming its variable instead
 * of failing every call. <NAME>_TLS_CA, <NAME>_TLS_CERT and <NAME>_TLS_KEY are the gateway's for an https
 * <NAME>_URL; <NAME>_TLS_SERVER_CERT, <NAME>_TLS_SERVER_KEY and <NAME>_TLS_CLIENT_CA the subgraph's own listener's.
 */
export function subgraphTls(
  prefix: string,
  v: Record<string, unknown>,
  url: string,
  problems: string[],
): { clientTls?: SubgraphClientTls; serverTls?: SubgraphServerTls } {
  const https = url.startsWith('https:');
  const misplaced = Object.values(CLIENT).map((s) => `${prefix}_${s}`).filter((variable) => typeof v[variable] === 'string');
  if (!https && misplaced.length) {
    // Certificates on a plain http URL would be silently unused: the calls would go out in clear.
    for (const variable of misplaced) problems.push(`${variable}: set, but ${prefix}_URL is not https`);
  }
  const client = https ? allOrNone(prefix, CLIENT, v, problems) : undefined;
  const server = allOrNone(prefix, SERVER, v, problems);
  const result: { clientTls?: SubgraphClientTls; serverTls?: SubgraphServerTls } = {};
  if (client) {
    const ca = attempt(client.ca.variable, problems, () => readCertificates(client.ca.path));
    const own = certificateAndKey(client.cert, client.key, problems);
    if (ca && own) result.clientTls = { ca: ca.pem, ...own };
  }
  if (server) {
    const clientCa = attempt(server.clientCa.variable, problems, () => readCertificates(server.clientCa.path));
    const own = certificateAndKey(server.cert, server.key, problems);
    if (clientCa && own) result.serverTls = { ...own, clientCa: clientCa.pem };
  }
  return result;
}
