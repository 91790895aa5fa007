import { readFileSync } from 'node:fs';
import { developmentToken, keySignedToken } from '../gateway/auth';
import { loadConfig } from '../subgraphs/kit/config';
import { parseIdentity, ROLES } from '../subgraphs/kit/identity';

/**
 * npm run token -- --role REPORT_BUILDER [--department CODE] [--citizen ID] [--subject NAME] [--ttl 12h] [--key FILE]
 * With --key, signed by that private key (the stack's .secrets/auth-private.pem), else by the development secret.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const arg = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const role = arg('role');
  const identity = parseIdentity({
    subject: arg('subject') ?? `dev-${(role ?? 'user').toLowerCase()}`,
    role,
    department: arg('department'),
    citizenId: arg('citizen'),
  });
  if (!identity || identity.role === 'ANONYMOUS') {
    throw new Error(`usage: npm run token -- --role ${ROLES.join('|')} [--department CODE] [--citizen 12-DIGIT-ID]`);
  }
  const key = arg('key');
  const auth = loadConfig().auth;
  const ttl = arg('ttl') ?? '12h';
  console.log(key ? await keySignedToken(auth, identity, readFileSync(key, 'utf8'), ttl) : await developmentToken(auth, identity, ttl));
}

main().catch((e) => {
  console.error(`token: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
