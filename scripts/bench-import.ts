import 'reflect-metadata';
import { appendFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { generateDemo } from '../demo/generate';
import { seedDemo } from '../demo/seed';
import { importLines } from '../importer/import';
import type { DossierHistory } from '../subgraphs/kit/history';
import { closeDatabases, openSubgraphDatabases } from '../subgraphs/databases';
import { PROJECT_ROOT } from '../subgraphs/kit/paths';
import { SUBGRAPHS } from '../subgraphs/registry';

const USAGE = 'usage: npm run bench:import -- [--dossiers N] [--with-codes] [--no-write]';
const SERVER = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';

/** A demo dossier as the previous one-stop system's export line (the import's own format). */
function lineOf(h: DossierHistory, withCode: boolean): string {
  return JSON.stringify({
    ...(withCode ? { code: h.code } : {}),
    procedureCode: h.procedureCode,
    channel: h.channel,
    receivedAt: h.receivedAt.toISOString(),
    applicant: { fullName: h.applicant.fullName, idNumber: h.applicant.idNumber, ...(h.applicant.phone ? { phone: h.applicant.phone } : {}) },
    events: h.events.flatMap((e): Record<string, unknown>[] => {
      const at = e.at.toISOString();
      switch (e.type) {
        case 'DECIDED': return [{ type: e.type, at, outcome: e.outcome }];
        case 'RESULT_RETURNED': return [{ type: e.type, at, channel: e.channel }];
        case 'PROCESSING_STARTED': return [];
        default: return [{ type: e.type, at }];
      }
    }),
    ...(h.rating ? { rating: { level: h.rating.level, at: h.rating.at.toISOString(), ...(h.rating.reason ? { reason: h.rating.reason } : {}) } } : {}),
  });
}

/**
 * npm run bench:import: the demo's March–April 2020 history as an export file, imported into empty systems (the
 * catalogue alone) on their own bench databases, then imported again (a re-run stores nothing): dossiers a second
 * into all systems, and the time each system's part took. Appends a row to bench/import.md.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--dossiers');
  const wanted = at >= 0 ? Number(args[at + 1]) : Infinity;
  if (at >= 0 && !(wanted > 0)) throw new Error(USAGE);
  const withCodes = args.includes('--with-codes');
  const histories = generateDemo().dossiers.slice(0, wanted);
  const lines = histories.map((h) => lineOf(h, withCodes));
  const dbs = await openSubgraphDatabases((name) => `${SERVER}/motcua_bench_import_${name.replace(/-/g, '_')}`);
  try {
    await seedDemo(dbs, { reset: true, catalogueOnly: true });
    const parts: Record<string, number> = {};
    for (const s of SUBGRAPHS) {
      const m = await s.load();
      const own = m.importHistory.bind(m);
      m.importHistory = async (db, batch) => {
        const t = performance.now();
        try {
          return await own(db, batch);
        } finally {
          parts[s.name] = (parts[s.name] ?? 0) + performance.now() - t;
        }
      };
    }
    const t0 = performance.now();
    const first = await importLines(lines, dbs);
    const seconds = (performance.now() - t0) / 1000;
    if (first.bad.length) throw new Error(`the bench's own lines were refused: ${first.bad.slice(0, 3).map((b) => `line ${b.line}: ${b.reason}`).join('; ')}`);
    const split = SUBGRAPHS.map((s) => `${s.name} ${(parts[s.name] / 1000).toFixed(2)} s`).join(', ');
    const t1 = performance.now();
    const again = await importLines(lines, dbs);
    const rerun = (performance.now() - t1) / 1000;
    const storedAgain = Object.values(again.stored).reduce((a, b) => a + b, 0);
    const rate = Math.round(first.loaded / seconds);
    console.log(`${first.loaded} dossiers (${withCodes ? 'with codes' : 'codes allocated'}) in ${seconds.toFixed(2)} s: ${rate} a second`);
    console.log(`systems' parts of the first run: ${split}`);
    console.log(`re-run: ${rerun.toFixed(2)} s, ${storedAgain} records stored`);
    if (!args.includes('--no-write')) {
      appendFileSync(join(PROJECT_ROOT, 'bench', 'import.md'),
        `| ${new Date().toISOString().slice(0, 10)} | ${first.loaded} | ${withCodes ? 'yes' : 'no'} | ${seconds.toFixed(2)} | ${rate} | ${rerun.toFixed(2)} (${storedAgain} stored) | ${split} | ${cpus().length} × ${cpus()[0]?.model.trim()} | ${process.env.BENCH_LABEL ?? ''} |\n`);
    }
  } finally {
    await closeDatabases(dbs);
  }
}

main().catch((e) => {
  console.error(`bench-import: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
