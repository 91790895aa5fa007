import 'reflect-metadata';
import { devHandoverPrivateKey, devHandoverPublicKey } from '../subgraphs/kit/messaging/handover.keys';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { Pool } from 'undici';
import { developmentToken } from '../gateway/auth';
import { createGateway } from '../gateway/gateway';
import { devSigningSecret, loadConfig, withDatabase } from '../subgraphs/kit/config';
import { createLogger } from '../subgraphs/kit/logger';
import { createSubgraphServer, SubgraphServer } from '../subgraphs/kit/server';
import { initTracing, shutdownTracing } from '../subgraphs/kit/telemetry/tracing';
import { closeDatabases, openSubgraphDatabases } from '../subgraphs/databases';
import { databaseName, SUBGRAPHS } from '../subgraphs/registry';
import { seedDemo } from '../demo/seed';

/**
 * npm run bench:observe [-- --runs 3000]: what watching the graph costs on one dossier read across three systems
 * (register, transport, postal), with every service in this process on the demo data: latency and CPU per request
 * with the access log off and on, off again (the drift), then with traces exported over OTLP/HTTP to a local sink. The
 * metrics are always on; their own cost is measured apart, by running the calls one request makes.
 */
async function main(): Promise<void> {
  const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 3000);
  const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const prefix = `motcua_bench_observe_${process.pid}`;
  const urls = Object.fromEntries(SUBGRAPHS.map((s) => [s.name, withDatabase(server, databaseName(s.name).replace(/^motcua/, prefix))]));
  const dbs = await openSubgraphDatabases((n) => urls[n]);
  await seedDemo(dbs);
  await closeDatabases(dbs);

  const sink = createServer((req, res) => req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}')));
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const nowhere = new Writable({ write: (_c, _e, done) => done() });
  const log = createLogger('bench', 'silent', nowhere);
  const subgraphs: SubgraphServer[] = [];
  const subgraphUrls: Record<string, string> = {};
  for (const s of SUBGRAPHS) {
    const sub = await createSubgraphServer(await s.load(), {
      databaseUrl: urls[s.name],
      signingSecret: devSigningSecret(s.name),
      handoverPublicKeyOf: devHandoverPublicKey,
      peers: { baseUrl: () => undefined, privateKey: devHandoverPrivateKey },
      log,
    });
    subgraphUrls[s.name] = (await sub.listen(0)).url;
    subgraphs.push(sub);
  }
  const gateway = await createGateway({
    subgraphUrls,
    signingSecrets: Object.fromEntries(SUBGRAPHS.map((s) => [s.name, devSigningSecret(s.name)])),
    auth: loadConfig({}).auth,
    log,
  });
  const { url } = await gateway.listen(0);
  const intake = new Client({ connectionString: urls.intake });
  await intake.connect();
  const [{ code }] = (await intake.query(`SELECT code FROM dossier WHERE processing_system = 'transport' AND channel = 'POSTAL' ORDER BY code LIMIT 1`)).rows;
  await intake.end();

  const token = await developmentToken(loadConfig({}).auth, { subject: 'bench', role: 'CENTRE_STAFF' });
  const client = new Pool(new URL(url).origin, { connections: 1 });
  const body = JSON.stringify({
    query: `query Whole($code: String!) { dossier(code: $code) { code applicant { fullName } processing { __typename status history { status at } } shipments { trackingNumber events { status at } } } }`,
    variables: { code },
  });
  const post = async () => {
    const res = await client.request({ method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
    const answer = (await res.body.json()) as { errors?: unknown };
    if (answer.errors) throw new Error('the dossier query failed');
  };
  const measure = async (label: string) => {
    for (let i = 0; i < 300; i++) await post();
    const times: number[] = [];
    const cpu = process.cpuUsage();
    for (let i = 0; i < runs; i++) {
      const t = process.hrtime.bigint();
      await post();
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const used = process.cpuUsage(cpu);
    times.sort((a, b) => a - b);
    const q = (p: number) => times[Math.ceil(p * times.length) - 1].toFixed(2);
    console.log(`| ${label} | ${runs} | ${q(0.5)} | ${q(0.95)} | ${((used.user + used.system) / runs / 1000).toFixed(2)} |`);
  };

  console.log(`dossier ${code}, gateway and five subgraphs in one process (CPU of that process, PostgreSQL apart)\n`);
  console.log('| configuration | runs | p50 ms | p95 ms | CPU ms / request |\n|---|---|---|---|---|');
  await measure('metrics, access log off');
  log.level = 'info';
  await measure('metrics + access log (info)');
  log.level = 'silent';
  await measure('metrics, access log off (again, for drift)');
  // Last: once a provider is registered, @apollo/gateway keeps its tracer for the life of the process.
  log.level = 'info';
  initTracing('bench', `http://127.0.0.1:${(sink.address() as AddressInfo).port}`);
  await measure('metrics + access log + traces (OTLP/HTTP)');
  await shutdownTracing();

  const { graphqlMetrics, subgraphCallMetrics } = await import('../subgraphs/kit/telemetry/metrics');
  const m = graphqlMetrics('bench');
  const calls = subgraphCallMetrics(m.registry);
  const n = 200_000;
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    // What one dossier read records: the gateway's request, three subgraph calls, and each subgraph's own request.
    m.requests.inc({ operation_type: 'query', outcome: 'ok' });
    m.duration.observe({ operation_type: 'query' }, 0.004);
    for (const s of ['intake', 'transport', 'postal']) {
      calls.requests.inc({ subgraph: s, outcome: 'ok' });
      calls.duration.observe({ subgraph: s }, 0.001);
      m.requests.inc({ operation_type: 'query', outcome: 'ok' });
      m.duration.observe({ operation_type: 'query' }, 0.001);
    }
  }
  console.log(`\nmetrics recorded for one dossier read: ${(Number(process.hrtime.bigint() - t) / n / 1000).toFixed(2)} µs`);

  await client.close();
  await gateway.close();
  await Promise.all(subgraphs.map((s) => s.close()));
  sink.close();
  const admin = new Client({ connectionString: server });
  await admin.connect();
  for (const u of Object.values(urls)) await admin.query(`DROP DATABASE IF EXISTS "${new URL(u).pathname.slice(1)}" WITH (FORCE)`);
  await admin.end();
}

main().catch((e) => {
  console.error(`bench: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
