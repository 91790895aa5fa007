import type { ServerOptions } from 'node:https';
import type { SubgraphServerTls } from './tls.config';

/**
 * The handshake itself refuses a caller without a certificate signed by the client CA, before a byte of HTTP is
 * read; the call signature is still verified on every request, as TLS authenticates the connection only.
 */
export function mtlsServerOptions(tls: SubgraphServerTls): ServerOptions {
  return { cert: tls.cert, key: tls.key, ca: tls.clientCa, requestCert: true, rejectUnauthorized: true };
}
