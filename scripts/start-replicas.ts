import 'reflect-metadata';
import { developmentToken } from '../gateway/auth';
import { ConfigError, loadConfig, requireDatabaseUrl } from '../subgraphs/kit/config';
import { closeDatabases, openSubgraphDatabases } from '../subgraphs/databases';
import { SUBGRAPHS } from '../subgraphs/registry';
import { isEmpty, seedDemo } from '../demo/seed';
import { EmbeddedDatabase, embeddedUnlessConfigured } from './embedded-postgres';
import { stopOnSignals } from './processes';
import { ReplicaSet, startReplicaSet } from './replicas/replica-set';

/**
 * npm run start:replicas [-- --replicas N] [-- --no-demo]: the system as it runs with several replicas. Like npm start
 * (DATABASE_URL or an embedded PostgreSQL, migrations, the demo data into empty databases), then two (or N)
 * gateways and two of intake and of transport behind HAProxy, the other subgraphs once; a crashed process is
 * restarted. The graph is served by HAProxy: on PORT when set, else on a free port, which it prints. Ctrl-C or
 * SIGTERM stops everything, HAProxy included.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const demo = !args.includes('--no-demo');
  const at = args.indexOf('--replicas');
  const replicas = at >= 0 ? Number(args[at + 1]) : 2;
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 8) {
    console.error('start:replicas: --replicas takes a number from 1 to 8');
    process.exit(2);
  }
  process.env.LOG_LEVEL ??= 'warn';
  let embedded: EmbeddedDatabase | undefined;
  let set: ReplicaSet | undefined;
  const stopping = stopOnSignals(() => [set, embedded]);

  try {
    embedded = await embeddedUnlessConfigured();
    const config = loadConfig();
    const databaseUrls = Object.fromEntries(SUBGRAPHS.map((s) => [s.name, requireDatabaseUrl(config, s.name)]));
    // Migrated here, once: replicas that each migrated at start would race for it.
    const dbs = await openSubgraphDatabases((name) => databaseUrls[name]);
    try {
      if (demo && (await isEmpty(dbs.intake))) {
        const counts = await seedDemo(dbs);
        console.log(`demo data (March-April 2020) stored: ${Object.entries(counts).map(([n, c]) => `${n} ${c}`).join(', ')}`);
      }
    } finally {
      await closeDatabases(dbs);
    }
    if (stopping.started) return;
    set = await startReplicaSet({
      databaseUrls,
      replicas,
      gatewayPort: process.env.PORT ? config.gateway.port : undefined,
    });
    const s = set;
    const token = config.auth.devSecret ? await developmentToken(config.auth, { subject: 'dev-staff', role: 'CENTRE_STAFF' }) : undefined;
    const lines = [
      '',
      `motcua-graph is up with ${replicas} replica(s), balanced by HAProxy: ${s.url}`,
      '',
      ...s.gateways.map((g, i) => `  gateway-${i + 1}`.padEnd(20) + g),
      ...Object.entries(s.subgraphs).map(([name, sub]) =>
        `  ${name}`.padEnd(20) + (sub.replicas.length > 1 || sub.url !== sub.replicas[0] ? `${sub.url} (HAProxy) → ${sub.replicas.join(', ')}` : sub.url)),
      `  haproxy stats`.padEnd(20) + s.statsUrl,
      '',
    ];
    if (token) lines.push(`STAFF_TOKEN=${token}`, `curl -s ${s.url} -H 'content-type: application/json' -H "authorization: Bearer $STAFF_TOKEN" \\`, `  -d '{"query":"{ dossiers(first: 3) { edges { node { code processing { __typename status } } } } }"}'`, '');
    lines.push('Ctrl-C stops everything.');
    console.log(lines.join('\n'));
  } catch (e) {
    if (stopping.started) return;
    console.error(`start:replicas: ${e instanceof ConfigError || e instanceof Error ? e.message : String(e)}; stopping everything`);
    await stopping.stop(1);
  }
}

void main();
