import 'reflect-metadata';
import { join } from 'node:path';
import { developmentToken } from '../gateway/auth';
import { AuthConfig, ConfigError, loadConfig, requireDatabaseUrl } from '../subgraphs/kit/config';
import { closeDatabases, openSubgraphDatabases } from '../subgraphs/databases';
import { demoCallers, EXAMPLE_DOSSIER } from '../demo/callers';
import { isEmpty, seedDemo } from '../demo/seed';
import { EmbeddedDatabase, embeddedUnlessConfigured } from './embedded-postgres';
import { stopOnSignals } from './processes';
import { Supervisor } from './supervisor';

/**
 * npm start [-- --no-demo]: the whole system on one machine. Uses DATABASE_URL when set, otherwise an
 * embedded PostgreSQL; migrates, seeds the demo data into empty databases, then runs each subgraph and
 * the gateway as its own process, as in production, restarting any that crashes (see Supervisor), and stops
 * them all (and the database) on Ctrl-C or SIGTERM. A service that keeps exiting before it is ready stops
 * everything with exit code 1 and a line naming it.
 */
const DIST = join(__dirname, '..');
const EXAMPLE = `{
  dossiers(first: 3) {
    edges { node {
      code channel receivedAt dueAt
      department { name }
      applicant { fullName }
      processing { __typename status decidedAt }
      shipments { trackingNumber direction status }
    } }
  }
}`;

async function main(): Promise<void> {
  const demo = !process.argv.includes('--no-demo');
  process.env.LOG_LEVEL ??= 'warn';
  let embedded: EmbeddedDatabase | undefined;
  let supervisor: Supervisor | undefined;
  const stopping = stopOnSignals(() => [supervisor, embedded]);

  try {
    embedded = await embeddedUnlessConfigured();
    const config = loadConfig();
    const dbs = await openSubgraphDatabases((name) => requireDatabaseUrl(config, name));
    if (demo && (await isEmpty(dbs.intake))) {
      const counts = await seedDemo(dbs);
      console.log(`demo data (March-April 2020) stored: ${Object.entries(counts).map(([n, c]) => `${n} ${c}`).join(', ')}`);
    }
    // Without the demo data, any dossier's applicant will do for a citizen's token.
    const [citizen] = await dbs.intake.query(
      'SELECT applicant_id_number AS "idNumber", code AS "dossierCode" FROM dossier ORDER BY code = $1 DESC, code LIMIT 1',
      [EXAMPLE_DOSSIER],
    );
    await closeDatabases(dbs);

    const services = new Supervisor({
      // A child is asked to drain first: it gets the drain time and a margin before it is killed.
      stopTimeoutMs: config.drainTimeoutMs + 5_000,
    });
    supervisor = services;
    await Promise.all(Object.values(config.subgraphs).map((s) => services.start({
      name: s.name,
      script: join(DIST, 'subgraphs/serve.js'),
      args: [s.name],
      readyUrl: s.url.replace(/\/graphql$/, '/readiness'),
    })));
    const gateway = `http://${config.host}:${config.gateway.port}`;
    await services.start({ name: 'gateway', script: join(DIST, 'gateway/main.js'), readyUrl: `${gateway}/readiness` });
    const tokens = config.auth.devSecret ? await developmentTokens(config.auth, `${gateway}/graphql`, citizen) : [];
    const auth = tokens.length ? ` \\\n  -H "authorization: Bearer $STAFF_TOKEN"` : '';
    console.log(`\nmotcua-graph is up: ${gateway}/graphql (GraphiQL in a browser)\nthe report builders' dashboard: ${gateway}/dashboard/ (paste STAFF_TOKEN below, or REPORT_TOKEN, OFFICER_TOKEN)\n`);
    if (tokens.length) {
      console.log('Development tokens (12 h; npm run token -- --role ... makes others): paste these lines into your shell');
      console.log('for the curl examples of the README and the one below.');
      for (const line of tokens) console.log(line);
      console.log();
    }
    console.log(`curl -s ${gateway}/graphql -H 'content-type: application/json'${auth} \\\n  -d '${JSON.stringify({ query: EXAMPLE.replace(/\s+/g, ' ') })}'\n\nCtrl-C stops everything.`);
  } catch (e) {
    // A child stopped by Ctrl-C during start-up is not a failure to report.
    if (stopping.started) return;
    console.error(`start: ${e instanceof ConfigError || e instanceof Error ? e.message : String(e)}; stopping everything`);
    await stopping.stop(1);
  }
}

/** One shell assignment a line, `STAFF_TOKEN=…  # CENTRE_STAFF`, so that the lines paste as they are. */
async function developmentTokens(
  auth: AuthConfig,
  graphql: string,
  citizen: { idNumber: string; dossierCode: string } | undefined,
): Promise<string[]> {
  const lines = [`GRAPHQL=${graphql}  # where the curl examples send their requests`];
  for (const c of demoCallers(citizen)) lines.push(`${c.variable}=${await developmentToken(auth, c.identity)}  # ${c.label}`);
  return lines;
}

void main();
