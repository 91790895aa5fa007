import { developmentToken } from '../gateway/auth';
import { loadConfig } from '../subgraphs/kit/config';
import { parseIdentity, ROLES } from '../subgraphs/kit/identity';

/** npm run token -- --role REPORT_BUILDER [--department CODE] [--citizen ID] [--subject NAME] [--ttl 12h] */
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
  console.log(await developmentToken(loadConfig().auth, identity, arg('ttl') ?? '12h'));
}

main().catch((e) => {
  console.error(`token: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
