import { Agent, type Pool } from 'undici';
import type { SubgraphClientTls } from '../../subgraphs/kit/tls/tls.config';

/**
 * How the gateway connects to a subgraph reached over mutual TLS: its server certificate is trusted only if the
 * configured CA signed it (not the system's store, where any public CA could vouch for an impostor), and the
 * gateway presents its own certificate. The call signature stays on every request: TLS authenticates the
 * connection, the signature each call and the identity it carries. Nothing for a subgraph without TLS.
 */
export function subgraphConnect(tls: SubgraphClientTls | undefined): Pick<Pool.Options, 'connect'> {
  return tls ? { connect: { ca: tls.ca, cert: tls.cert, key: tls.key } } : {};
}

/** The same connections for what calls a subgraph with fetch (its readiness probe). */
export function subgraphAgent(tls: SubgraphClientTls): Agent {
  return new Agent(subgraphConnect(tls));
}
