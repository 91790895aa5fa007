import { Agent } from 'undici';
import type { SubgraphClientTls } from './tls.config';

/**
 * Connections to a subgraph reached over mutual TLS: its server certificate is trusted only if the configured CA
 * signed it (not the system's store, where any public CA could vouch for an impostor), and the caller presents its
 * own certificate. The gateway's calls and the other systems' hand-overs both go through one.
 */
export const tlsConnect = (tls: SubgraphClientTls) => ({ ca: tls.ca, cert: tls.cert, key: tls.key });

export const tlsAgent = (tls: SubgraphClientTls) => new Agent({ connect: tlsConnect(tls) });
