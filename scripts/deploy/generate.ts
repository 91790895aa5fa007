import { chmodSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { composeFile, POSTGRES_INIT_SCRIPT } from './compose.manifest';
import { kubernetesFiles } from './kubernetes.manifest';
import { postgresInitScript } from './postgres-init.manifest';

export const K8S_DIR = 'deploy/k8s';

/** Every generated file, by path from the repository root. */
export function deploymentFiles(): Record<string, string> {
  return {
    'docker-compose.yml': composeFile(),
    [POSTGRES_INIT_SCRIPT]: postgresInitScript(),
    ...Object.fromEntries(Object.entries(kubernetesFiles()).map(([file, text]) => [`${K8S_DIR}/${file}`, text])),
  };
}

/** npm run deploy:generate: writes the compose file, the PostgreSQL init script and the Kubernetes base. */
function main(root: string): void {
  const files = deploymentFiles();
  mkdirSync(join(root, K8S_DIR), { recursive: true });
  // A subgraph taken out of the registry takes its manifest with it.
  for (const f of readdirSync(join(root, K8S_DIR), { withFileTypes: true }).filter((e) => e.isFile())) {
    if (!files[`${K8S_DIR}/${f.name}`]) rmSync(join(root, K8S_DIR, f.name));
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  chmodSync(join(root, POSTGRES_INIT_SCRIPT), 0o755);
  console.log(`wrote ${Object.keys(files).join(', ')}`);
}

if (require.main === module) main(join(__dirname, '../../..'));
