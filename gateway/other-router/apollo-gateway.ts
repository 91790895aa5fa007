import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApolloGateway, GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import type { AuthConfig, SubgraphConfig } from '../../subgraphs/kit/config';
import type { Identity } from '../../subgraphs/kit/identity';
import { signRequest } from '../../subgraphs/kit/signing';
import { createAuthenticator } from '../auth';

export interface ApolloGatewayOptions {
  supergraphSdl: string;
  subgraphs: Record<string, Pick<SubgraphConfig, 'url' | 'signingSecret'>>;
  auth: AuthConfig;
}

export interface CallerContext {
  identity: Identity;
  requestId: string;
}

/** Each call signed for its subgraph, with the identity the token verified to, as our gateway signs it. */
class SignedDataSource extends RemoteGraphQLDataSource<CallerContext> {
  constructor(
    url: string,
    private readonly secret: string,
  ) {
    super({ url });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<CallerContext>): void {
    // The body the base class sends next: `query` first, then the rest but `http`, serialised the same way, so the
    // signature covers the very bytes the subgraph receives.
    const { http, query, ...rest } = request;
    const body = JSON.stringify({ query, ...rest });
    const signed = signRequest(this.secret, { method: 'POST', path: new URL(this.url).pathname, body, identity: context.identity, requestId: context.requestId });
    for (const [name, value] of Object.entries(signed)) http!.headers.set(name, value);
  }
}

/**
 * Stock @apollo/gateway in @apollo/server, as a province would run it off the shelf in place of ours: the
 * committed supergraph, RemoteGraphQLDataSource (no pool, dedupe or resilience of our own), the same token check
 * and signing. For the gateway bench. Builds the server and the context its HTTP integration needs; does not listen.
 */
export async function createApolloGateway(o: ApolloGatewayOptions): Promise<{ server: ApolloServer<CallerContext>; context: (a: { req: IncomingMessage }) => Promise<CallerContext> }> {
  // Apollo's anonymous usage report at start-up: no call out of a bench machine.
  process.env.APOLLO_TELEMETRY_DISABLED = '1';
  const authenticate = await createAuthenticator(o.auth);
  const gateway = new ApolloGateway({
    supergraphSdl: o.supergraphSdl,
    buildService: ({ name }) => {
      const to = o.subgraphs[name];
      if (!to) throw new Error(`no configuration for subgraph ${name}`);
      return new SignedDataSource(to.url, to.signingSecret);
    },
  });
  const server = new ApolloServer<CallerContext>({ gateway });
  return {
    server,
    context: async ({ req }) => ({ identity: await authenticate(req.headers.authorization), requestId: randomUUID() }),
  };
}
