import { ApolloGateway } from '@apollo/gateway';
import { GraphQLError } from 'graphql';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Loads the supergraph into a gateway of its own, which builds, validates and plans over it exactly as the
 * serving gateway's `update` would. The serving gateway cannot be trusted to refuse it on its own: in production
 * it skips validation, and a supergraph that fails after `Supergraph.build` leaves it half switched.
 */
export async function validateSupergraph(sdl: string): Promise<void> {
  const probe = new ApolloGateway({ supergraphSdl: sdl, validateSupergraph: true, logger: silent });
  try {
    await probe.load();
  } finally {
    await probe.stop();
  }
}

/**
 * Why a supergraph was refused, from a closed set of codes: federation's error messages quote the SDL and the
 * subgraph URLs written in it, neither of which belongs in a log line.
 */
export function refusalReason(e: unknown): string {
  if (e instanceof GraphQLError) {
    const code = e.extensions?.code;
    if (typeof code === 'string' && /^[A-Za-z][A-Za-z_]{0,63}$/.test(code)) return code;
    return e.source ? 'GRAPHQL_PARSE_FAILED' : 'INVALID_GRAPHQL';
  }
  return 'UPDATE_FAILED';
}
