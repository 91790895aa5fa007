import { InMemoryWebStorage, UserManager, WebStorageStateStore } from 'oidc-client-ts';

export type Role = 'CENTRE_STAFF' | 'CENTRE_ADMIN' | 'DEPARTMENT_OFFICER' | 'REPORT_BUILDER' | 'CITIZEN' | 'SERVICE';

export interface Session {
  token: string;
  role: Role | null;
  department: string | null;
  subject: string | null;
}

/** What the gateway tells the dashboard at /dashboard/config.json: the province's sign-in, and whether a pasted token is allowed. */
export interface DashboardConfig {
  oidc: { authority: string; clientId: string; scope: string } | null;
  devSignIn: boolean;
}

export async function loadConfig(): Promise<DashboardConfig> {
  const res = await fetch('/dashboard/config.json');
  if (!res.ok) return { oidc: null, devSignIn: false };
  return (await res.json()) as DashboardConfig;
}

/**
 * The token's claims, read only to choose what to show (the gateway verifies it on every request). The same
 * claims the gateway reads: role, and department for an officer.
 */
export function sessionOf(token: string): Session {
  let claims: Record<string, unknown> = {};
  try {
    const part = token.split('.')[1] ?? '';
    claims = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=')));
  } catch {
    claims = {};
  }
  return {
    token,
    role: typeof claims.role === 'string' ? (claims.role as Role) : null,
    department: typeof claims.department === 'string' ? claims.department : null,
    subject: typeof claims.sub === 'string' ? claims.sub : null,
  };
}

/**
 * The province's OpenID Connect provider, authorization code with PKCE (oidc-client-ts). The user and its tokens
 * live in memory only; only the state of a sign-in under way (its PKCE verifier) waits in sessionStorage across
 * the redirect, and is removed when the provider answers.
 */
export function oidcClient(config: NonNullable<DashboardConfig['oidc']>): UserManager {
  const redirect = `${location.origin}/dashboard/`;
  return new UserManager({
    authority: config.authority,
    client_id: config.clientId,
    scope: config.scope,
    redirect_uri: redirect,
    post_logout_redirect_uri: redirect,
    response_type: 'code',
    userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
    automaticSilentRenew: false,
  });
}

/** Completes a sign-in when the provider has sent the browser back with a code; removes the code from the URL. */
export async function completeSignIn(manager: UserManager): Promise<string | null> {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') || !params.has('state')) return null;
  const user = await manager.signinRedirectCallback();
  history.replaceState(null, '', '/dashboard/');
  return user.access_token;
}
