import type { Agent, Pool } from 'undici';
import type { SubgraphClientTls } from '../../subgraphs/kit/tls/tls.config';
import { tlsAgent, tlsConnect } from '../../subgraphs/kit/tls/tls.agent';

/**
 * How the gateway connects to a subgraph reached over mutual TLS (kit/tls/tls.agent.ts). The call signature stays on
 * every request: TLS authenticates the connection, the signature each call and the identity it carries. Nothing
 * for a subgraph without TLS.
 */
export function subgraphConnect(tls: SubgraphClientTls | undefined): Pick<Pool.Options, 'connect'> {
  return tls ? { connect: tlsConnect(tls) } : {};
}

/** The same connections for what calls a subgraph outside the pool (its readiness probe). */
export function subgraphAgent(tls: SubgraphClientTls): Agent {
  return tlsAgent(tls);
}
