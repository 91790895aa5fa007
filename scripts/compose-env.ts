import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { exportHandoverKey } from '../subgraphs/kit/messaging/handover.keys';
import { handoverPrivateKeyVar, handoverPublicKeyVar, KEY_DIR, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, SECRET_VARS, SUBGRAPH_PLANS, TOKEN_ALG } from './deploy/stack';

// base64url: safe in a URL's password, in .env and in compose's interpolation, and 43 characters.
const secret = () => randomBytes(32).toString('base64url');

function handoverKeyPairs(plans: typeof SUBGRAPH_PLANS): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const s of plans) {
    const pair = generateKeyPairSync('ed25519');
    keys[handoverPrivateKeyVar(s)] = exportHandoverKey(pair.privateKey);
    keys[handoverPublicKeyVar(s)] = exportHandoverKey(pair.publicKey);
  }
  return keys;
}

/** The secrets of subgraphs added to the registry since .env was written, appended; the others are left as they are. */
function addMissing(envFile: string): void {
  const present = new Set(readFileSync(envFile, 'utf8').split('\n').map((l) => l.split('=')[0].trim()));
  const missing = SECRET_VARS.filter((v) => !present.has(v));
  if (!missing.length) {
    console.log(`${envFile} holds every secret the registry needs: nothing written`);
    return;
  }
  const halves = SUBGRAPH_PLANS.filter((s) => missing.includes(handoverPrivateKeyVar(s)) !== missing.includes(handoverPublicKeyVar(s)));
  if (halves.length) throw new Error(`${envFile} holds half of ${halves.map((s) => s.name).join(', ')}'s hand-over key pair: nothing written`);
  const handoverKeys = handoverKeyPairs(SUBGRAPH_PLANS.filter((s) => missing.includes(handoverPrivateKeyVar(s))));
  writeFileSync(envFile, `${missing.map((name) => `${name}=${handoverKeys[name] ?? secret()}`).join('\n')}\n`, { flag: 'a' });
  console.log(`added ${missing.join(', ')} to ${envFile}`);
}

/**
 * npm run compose:env [-- --dir DIR]: the stack's secrets, fresh, in DIR/.env (the repository root by default),
 * each subgraph's Ed25519 hand-over key pair among them (base64url DER), and a token-signing key pair in
 * DIR/.secrets/: the gateway verifies with the public key; the private key signs tokens where no identity
 * provider does yet. Never overwrites: secrets already in use must be rotated on
 * purpose, not by a second run. A second run adds only what a new subgraph of the registry needs.
 */
async function main(): Promise<void> {
  const at = process.argv.indexOf('--dir');
  const dirArg = at >= 0 ? process.argv[at + 1] : join(__dirname, '../..');
  if (!dirArg) throw new Error('--dir takes a directory');
  const dir = resolve(dirArg);
  const envFile = join(dir, '.env');
  const keys = join(dir, KEY_DIR);
  const existing = [envFile, join(keys, PUBLIC_KEY_FILE), join(keys, PRIVATE_KEY_FILE)].filter((f) => existsSync(f));
  if (existing.length === 3) return addMissing(envFile);
  if (existing.length) throw new Error(`${existing.join(', ')} already exist: nothing written (remove them to start afresh)`);

  const handoverKeys = handoverKeyPairs(SUBGRAPH_PLANS);
    const pair = generateKeyPairSync('ed25519');
  const { publicKey, privateKey } = await generateKeyPair(TOKEN_ALG, { extractable: true, modulusLength: 3072 });
  mkdirSync(keys, { recursive: true, mode: 0o700 });
  // 'wx': fails rather than overwrite a file that appeared since the check.
  writeFileSync(join(keys, PRIVATE_KEY_FILE), await exportPKCS8(privateKey), { flag: 'wx', mode: 0o600 });
  writeFileSync(join(keys, PUBLIC_KEY_FILE), await exportSPKI(publicKey), { flag: 'wx', mode: 0o644 });
  const lines = [
    `# The stack's secrets, written by npm run compose:env on ${new Date().toISOString().slice(0, 10)}; read by docker compose`,
    '# (and `kubectl create secret generic motcua-graph-secrets --from-env-file=.env`), never by npm start. Keep it out of git.',
    ...SECRET_VARS.map((name) => `${name}=${handoverKeys[name] ?? secret()}`),
  ];
  writeFileSync(envFile, `${lines.join('\n')}\n`, { flag: 'wx', mode: 0o600 });
  console.log(`wrote ${envFile} and ${join(keys, `{${PUBLIC_KEY_FILE},${PRIVATE_KEY_FILE}}`)}`);
}

main().catch((e) => {
  console.error(`compose:env: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
