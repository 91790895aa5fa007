import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { developmentToken } from '../gateway/auth';
import { createGateway } from '../gateway/gateway';
import { devHandoverSecret, devSigningSecret, loadConfig, requireDatabaseUrl } from '../subgraphs/kit/config';
import { createLogger } from '../subgraphs/kit/logger';
import { PROJECT_ROOT } from '../subgraphs/kit/paths';
import { createSubgraphServer, SubgraphServer } from '../subgraphs/kit/server';
import { SUBGRAPHS } from '../subgraphs/registry';

/**
 * npm run bench:report [-- --month 2025-11 --runs 50]: the one-month report through the gateway, subgraphs
 * included, on whatever the configured databases hold (seed them with npm run seed -- --dossiers N), against
 * the same figures computed by paging the month's dossiers through the graph. Appends to bench/README.md.
 */
async function main(): Promise<void> {
  const arg = (name: string, fallback: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : fallback;
  };
  const month = arg('month', '2025-11');
  const runs = Number(arg('runs', '50'));
  const config = loadConfig();
  const log = createLogger('bench', 'silent');
  const urls: Record<string, string> = {};
  const servers: SubgraphServer[] = [];
  for (const s of SUBGRAPHS) {
    const server = await createSubgraphServer(await s.load(), {
      databaseUrl: requireDatabaseUrl(config, s.name),
      signingSecret: devSigningSecret(s.name),
      handoverSecret: devHandoverSecret(s.name),
      peers: { baseUrl: () => undefined, secret: devHandoverSecret },
      log,
    });
    urls[s.name] = (await server.listen(0)).url;
    servers.push(server);
  }
  const gateway = await createGateway({
    subgraphUrls: urls,
    signingSecrets: Object.fromEntries(SUBGRAPHS.map((s) => [s.name, devSigningSecret(s.name)])),
    auth: loadConfig({}).auth,
    log,
  });
  const { url } = await gateway.listen(0);
  const token = await developmentToken(loadConfig({}).auth, { subject: 'bench', role: 'REPORT_BUILDER' });
  const post = async (query: string, variables: Record<string, unknown>) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: any; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors).slice(0, 300));
    return body.data;
  };
  const [y, m] = month.split('-').map(Number);
  const from = `${month}-01`;
  const to = `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
  const REPORT = `query($from: Date!, $to: Date!) { report(from: $from, to: $to) { carriedOver received { total online direct postal }
    resolved { total early onTime late } withdrawn returnedByPost inProcess { total overdue } balanced
    byDepartment { department { code } resolved { total } inProcess { total } } } }`;
  const [{ n: dossiers }] = await servers[0].db.query('SELECT count(*)::int AS n FROM dossier');

  for (let i = 0; i < 5; i++) await post(REPORT, { from, to });
  const times: number[] = [];
  let report: any;
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    report = (await post(REPORT, { from, to })).report;
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)];

  // The spreadsheet way: page every dossier received or decided in the month through the graph and count.
  const PAGE = `query($f: DossierFilter, $after: String) { dossiers(filter: $f, first: 100, after: $after) {
    edges { node { receivedAt channel processing { decidedAt dueAt } } } pageInfo { hasNextPage endCursor } } }`;
  const staff = await developmentToken(loadConfig({}).auth, { subject: 'bench', role: 'CENTRE_STAFF' });
  const pageAll = async () => {
    let after: string | null = null;
    let seen = 0;
    do {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${staff}` },
        body: JSON.stringify({ query: PAGE, variables: { f: { receivedFrom: `${from}T00:00:00+07:00`, receivedTo: `${to}T23:59:59+07:00` }, after } }) });
      const page = ((await res.json()) as any).data.dossiers;
      seen += page.edges.length;
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    return seen;
  };
  const t0 = process.hrtime.bigint();
  const paged = process.argv.includes('--no-paging') ? 0 : await pageAll();
  const pagingMs = Number(process.hrtime.bigint() - t0) / 1e6;

  await gateway.close();
  await Promise.all(servers.map((s) => s.close()));

  const line = `| ${new Date().toISOString().slice(0, 10)} | ${dossiers.toLocaleString('en-GB')} | ${month} | ${runs} | ${q(0.5).toFixed(1)} | ${q(0.95).toFixed(1)} | ${q(1).toFixed(1)} | ${paged.toLocaleString('en-GB')} dossiers paged in ${(pagingMs / 1000).toFixed(1)} s (received only) | ${report.balanced ? 'yes' : 'no'} |`;
  console.log(`one-month report (${month}) on ${dossiers} dossiers: p50 ${q(0.5).toFixed(1)} ms, p95 ${q(0.95).toFixed(1)} ms; paging ${paged} dossiers: ${(pagingMs / 1000).toFixed(1)} s`);
  const file = join(PROJECT_ROOT, 'bench', 'README.md');
  const { readFile } = await import('node:fs/promises');
  // The new row goes at the end of the table, before the notes below it.
  const lines = (await readFile(file, 'utf8').catch(() => '')).split('\n');
  let last = lines.length - 1;
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i].startsWith('|')) { last = i; break; }
  lines.splice(last + 1, 0, `${line} ${process.argv.includes('--label') ? arg('label', '') : ''} |`);
  await writeFile(file, lines.join('\n'));
}

main().catch((e) => {
  console.error(`bench: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
