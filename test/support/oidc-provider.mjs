// A real OpenID Connect provider (panva's oidc-provider, which is certified) standing in for the province's, for
// test/browser/dashboard-oidc.e2e.test.ts: its own process, on a free port, with its development login pages.
// The login name is the account: "builder" signs in as a report builder, "officer-SGTVT" as that department's
// officer. Access tokens are JWTs for the graph's audience, carrying the role the gateway reads.
import Provider from 'oidc-provider';

const { GATEWAY_ORIGIN, AUDIENCE } = process.env;

function identityOf(accountId) {
  const officer = /^officer-([A-Z]{2,16})$/.exec(accountId);
  if (officer) return { role: 'DEPARTMENT_OFFICER', department: officer[1] };
  return { role: 'REPORT_BUILDER' };
}

const server = (await import('node:http')).createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'motcua-dashboard',
      token_endpoint_auth_method: 'none',
      redirect_uris: [`${GATEWAY_ORIGIN}/dashboard/`],
      post_logout_redirect_uris: [`${GATEWAY_ORIGIN}/dashboard/`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  pkce: { required: () => true },
  clientBasedCORS: (_ctx, origin) => origin === GATEWAY_ORIGIN,
  findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
  extraTokenClaims: (_ctx, token) => (token.kind === 'AccessToken' ? identityOf(token.accountId) : undefined),
  features: {
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => 'urn:motcua-graph',
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({ scope: 'openid profile', audience: AUDIENCE, accessTokenFormat: 'jwt', accessTokenTTL: 3600, jwt: { sign: { alg: 'RS256' } } }),
    },
  },
  loadExistingGrant: async (ctx) => {
    // Consent is the province's business, not the dashboard's: grant what the client asks for.
    const grant = new provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid profile');
    grant.addResourceScope('urn:motcua-graph', 'openid profile');
    await grant.save();
    return grant;
  },
});
server.on('request', provider.callback());
process.stdout.write(`${JSON.stringify({ issuer })}\n`);
