import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { closeDatabases, openSubgraphDatabases } from '../../subgraphs/databases';
import { devSigningSecret } from '../../subgraphs/kit/config';
import type { Identity } from '../../subgraphs/kit/identity';
import { signRequest } from '../../subgraphs/kit/signing';
import { SUBGRAPHS } from '../../subgraphs/registry';
import { seedDemo } from '../../demo/seed';
import { ReplicaSet, startReplicaSet } from '../../scripts/replicas/replica-set';
import { dropDatabases, testDatabaseUrls, uniquePrefix } from '../support/databases';
import { postGraphQL, STAFF, tokenFor } from '../support/system';
import { alive, until } from '../support/waiting';
import { pidListeningOn } from './listener';
import { Attempt, Load, LOAD_APPLICANT } from './load';

/**
 * The system as `npm run start:replicas` runs it (scripts/replicas): two gateways and two replicas each of intake
 * and transport behind a real HAProxy, the other subgraphs once, every process a real one (dist/: build first), on
 * fresh databases of their own.
 */
const DIST = join(__dirname, '../../dist');
const prefix = uniquePrefix('replicas');
const urls = testDatabaseUrls(prefix);
const OFFICER: Identity = { subject: 'officer-sgtvt-load', role: 'DEPARTMENT_OFFICER', department: 'SGTVT' };
const RECEIVE = `mutation($input: ReceiveDossierInput!, $key: String) { receiveDossier(input: $input, idempotencyKey: $key) { code } }`;
const VIEW = `query($code: String!) { dossier(code: $code) { code processing { __typename status history { status } } } }`;

let set: ReplicaSet;
const supervisorLines: string[] = [];
const killed: number[] = [];

async function sql<T = any>(subgraph: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: urls[subgraph] });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** The department's history of a dossier as a read shows it, or what the read got instead. */
const history = (answer: any): string => {
  const processing = answer.data?.dossier?.processing;
  if (processing) return processing.history.map((h: { status: string }) => h.status).join(' ');
  return answer.errors ? `error ${answer.errors[0].extensions?.code}` : 'no processing record';
};

/** The hand-overs not delivered yet (dead ones included), by subgraph. */
async function pendingMessages(): Promise<Record<string, string[]>> {
  const pending: Record<string, string[]> = {};
  for (const s of SUBGRAPHS) pending[s.name] = (await sql(s.name, 'SELECT id FROM outbox_message WHERE delivered_at IS NULL')).map((r) => r.id);
  return pending;
}

/** How many of `pending` are still not delivered. */
async function stillPending(pending: Record<string, string[]>): Promise<number> {
  let n = 0;
  for (const [name, ids] of Object.entries(pending)) {
    if (ids.length) n += (await sql(name, 'SELECT count(*)::int AS n FROM outbox_message WHERE id = ANY($1) AND delivered_at IS NULL', [ids]))[0].n;
  }
  return n;
}

const receiveInput = (fullName: string) => ({ procedureCode: '1.002820', channel: 'ONLINE', applicant: { fullName, idNumber: '056080001234' } });

beforeAll(async () => {
  if (!existsSync(join(DIST, 'scripts/replicas/haproxy.process.js'))) throw new Error(`${DIST} is missing or stale: run npm run -s build first`);
  const dbs = await openSubgraphDatabases((name) => urls[name]);
  try {
    await seedDemo(dbs, { catalogueOnly: true });
  } finally {
    await closeDatabases(dbs);
  }
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'error', HOST: '127.0.0.1', APOLLO_TELEMETRY_DISABLED: '1' };
  // Nonces and counters in each subgraph's own database, the default; REDIS_URL would move them.
  for (const key of ['DATABASE_URL', 'REDIS_URL', 'METRICS_PORT', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'PORT']) delete env[key];
  set = await startReplicaSet({
    databaseUrls: urls,
    env,
    dist: DIST,
    // Ten processes starting at once on a small CI machine, beside another test file: more than the 30 s default.
    supervisor: { info: (l) => supervisorLines.push(l), warn: (l) => supervisorLines.push(l), readyTimeoutMs: 60_000 },
  });
}, 120_000);

afterAll(async () => {
  await set?.stop();
  for (const pid of killed) if (alive(pid)) process.kill(pid, 'SIGKILL');
  await dropDatabases(prefix);
}, 60_000);

describe('several replicas behind HAProxy', () => {
  it('when a signed call to intake replica 1 is replayed byte for byte to replica 2, then replica 2 refuses it (403)', async () => {
    const body = JSON.stringify({ query: '{ departments { code } }' });
    const headers = { 'content-type': 'application/json', ...signRequest(devSigningSecret('intake'), { method: 'POST', path: '/graphql', body, identity: STAFF, requestId: randomUUID() }) };
    const [one, two] = set.subgraphs.intake.replicas;
    const first = await fetch(`${one}/graphql`, { method: 'POST', headers, body });
    expect(first.status).toBe(200);
    expect((await first.json()).data.departments.length).toBeGreaterThan(0);

    const replayed = await fetch(`${two}/graphql`, { method: 'POST', headers, body });
    expect(replayed.status).toBe(403);
    expect((await replayed.json()).errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('when the same idempotency key is sent to both gateways at once, then one dossier exists in the register and one processing record in transport, and both answers name it', async () => {
    const token = await tokenFor(STAFF);
    const name = 'Trần Hai Cổng';
    const variables = { key: `both-gateways-${Date.now()}`, input: receiveInput(name) };
    const answers = await Promise.all(set.gateways.map((g) => postGraphQL(g, RECEIVE, variables, token)));

    expect(answers.map((a) => a.errors)).toEqual([undefined, undefined]);
    const [code, other] = answers.map((a) => a.data.receiveDossier.code);
    expect(other).toBe(code);
    expect(await sql('intake', 'SELECT code FROM dossier WHERE applicant_full_name = $1', [name])).toEqual([{ code }]);
    await until('the hand-over to transport', async () => (await sql('intake', 'SELECT 1 FROM outbox_message WHERE dossier_code = $1 AND delivered_at IS NULL', [code])).length === 0);
    expect(await sql('transport', 'SELECT dossier_code AS code FROM processing WHERE dossier_code = $1', [code])).toEqual([{ code }]);
    expect(await sql('transport', 'SELECT status FROM status_change WHERE dossier_code = $1', [code])).toEqual([{ status: 'NEW' }]);
  });

  it('when clients write through gateway 1, then each reads its own write through gateway 2 and through HAProxy, the department\'s side included', async () => {
    const [staff, officer] = [await tokenFor(STAFF), await tokenFor(OFFICER)];
    const [one, two] = set.gateways;
    const run = Date.now().toString(36);
    // Several clients at once, as at a counter's busy hour: each write lands on either intake replica.
    const seen = await Promise.all(Array.from({ length: 8 }, async (_, i) => {
      const received = await postGraphQL(one, RECEIVE, { key: `own-write-${run}-${i}`, input: receiveInput('Lê Tự Đọc') }, staff);
      const code: string = received.data?.receiveDossier?.code ?? `not received: ${JSON.stringify(received.errors)}`;
      const afterReceive = [];
      for (const g of [two, set.url]) afterReceive.push(history(await postGraphQL(g, VIEW, { code }, staff)));
      const started = await postGraphQL(one, `mutation($code: String!) { transportStartProcessing(dossierCode: $code) { status } }`, { code }, officer);
      const afterStart = [];
      for (const g of [two, set.url]) afterStart.push(history(await postGraphQL(g, VIEW, { code }, staff)));
      return { started: started.data?.transportStartProcessing?.status ?? started.errors?.[0]?.extensions?.code, afterReceive, afterStart };
    }));

    expect(seen).toEqual(Array.from({ length: 8 }, () => ({ started: 'PROCESSING', afterReceive: ['NEW', 'NEW'], afterStart: ['NEW PROCESSING', 'NEW PROCESSING'] })));
  });

  it('when one replica each of gateway, intake and transport is killed under a load of lifecycles and reads, then every acknowledged mutation is there exactly once, nothing is left to hand over, and errors come only around the kills', async () => {
    const load = new Load(set.url, { staff: await tokenFor(STAFF), officer: await tokenFor(OFFICER) }, `load-${Date.now().toString(36)}`);
    const kills: { replica: string; pid: number; at: number; answeredAgainMs?: number; backInRotationMs: number; recoveredMs: number }[] = [];
    const startedAt = Date.now();
    load.start(4, 2);
    try {
      for (const replica of ['gateway-1', 'intake-1', 'transport-1']) {
        const before = load.acknowledged();
        await until(`10 more acknowledged mutations before killing ${replica}`, () => load.acknowledged() >= before + 10, 30_000);
        const port = set.ports[replica];
        const pid = pidListeningOn(port);
        if (pid === undefined) throw new Error(`nothing listens on ${replica}'s port ${port}`);
        const at = Date.now();
        process.kill(pid, 'SIGKILL');
        killed.push(pid);
        await until(`${replica} serving again under a new process and back in HAProxy's rotation`, async () => {
          const now = pidListeningOn(port);
          return now !== undefined && now !== pid && (await set.serverStates())[replica] === 'UP';
        }, 45_000, 100);
        const backInRotationMs = Date.now() - at;
        // The kill is over once what it held up has been handed over too: messages its replica had leased, and
        // deliveries that failed with it and wait for their next attempt.
        const pending = await pendingMessages();
        await until(`the hand-overs pending when ${replica} was back to be delivered`, async () => (await stillPending(pending)) === 0, 60_000, 100);
        const recoveredMs = Date.now() - at;
        const ok = load.attempts.filter((a) => a.error === undefined && a.startedAt > at);
        kills.push({ replica, pid, at, backInRotationMs, recoveredMs, answeredAgainMs: ok.length ? Math.min(...ok.map((a) => a.endedAt)) - at : undefined });
      }
      const before = load.acknowledged();
      await until('10 more acknowledged mutations after the last kill', () => load.acknowledged() >= before + 10, 30_000);
    } finally {
      await load.stop();
    }
    const endedAt = Date.now();
    // Errors only around a kill: from it until the killed replica was back in rotation and what it held up delivered.
    const windows = kills.map((k) => ({ replica: k.replica, from: k.at, to: k.at + k.recoveredMs }));
    const failed = load.attempts.filter((a) => a.error !== undefined);
    const windowOf = (a: Attempt) => windows.find((w) => a.endedAt >= w.from && a.startedAt <= w.to)?.replica;
    const figures = {
      seconds: Math.round((endedAt - startedAt) / 100) / 10,
      requests: load.attempts.length,
      reads: load.attempts.filter((a) => a.op === 'read').length,
      // Mutations answered only after a retry with their key: each may have been applied by the attempt that failed.
      retriedMutations: new Set(failed.flatMap((a) => (a.key ? [a.key] : []))).size,
      acknowledged: Object.fromEntries(['receive', 'start', 'decide', 'withdraw'].map((op) => [op, load.acknowledged(op as never)])),
      kills: kills.map((k) => ({
        replica: k.replica,
        answeredAgainMs: k.answeredAgainMs,
        backInRotationMs: k.backInRotationMs,
        recoveredMs: k.recoveredMs,
        errors: countBy(failed.filter((a) => windowOf(a) === k.replica).map((a) => `${a.op} ${a.error}`)),
      })),
      outsideKills: countBy(failed.filter((a) => !windowOf(a)).map((a) => `${a.op} ${a.error}`)),
      // When each of those came, from the last kill before it.
      outsideKillsWhen: failed.filter((a) => !windowOf(a)).map((a) => {
        const last = [...kills].reverse().find((k) => k.at <= a.startedAt);
        return last ? `${a.op} ${a.error} ${a.endedAt - last.at} ms after killing ${last.replica}` : `${a.op} ${a.error} before the first kill`;
      }),
    };
    console.log(`replicas under load: ${JSON.stringify(figures, null, 2)}`);
    // Each killed replica was restarted by its supervisor, and nothing else exited.
    expect(supervisorLines.filter((l) => l.includes(' exited '))).toEqual(kills.map((k) =>
      expect.stringMatching(new RegExp(`^${k.replica} \\(pid ${k.pid}\\) exited \\(SIGKILL\\) after \\d+(\\.\\d)? s; restarting it in 1\\.0 s$`))));
    await until('each supervisor to say its replica serves again', () => kills.every((k) => supervisorLines.some((l) => l.startsWith(`${k.replica} is serving again`))));

    // Receivers enqueue as they apply (a withdrawal's answer): nothing pending anywhere, not only what was pending now.
    await until('every outbox delivered', async () => Object.values(await pendingMessages()).every((ids) => ids.length === 0), 60_000, 200);

    const received = [...new Set(load.acks.filter((a) => a.op === 'receive').map((a) => a.code))].sort();
    const decided = new Set(load.acks.filter((a) => a.op === 'decide').map((a) => a.code));
    const withdrawn = new Set(load.acks.filter((a) => a.op === 'withdraw').map((a) => a.code));
    expect(received.length).toBeGreaterThan(30);
    // Every client finished its dossiers: each received one was started, then decided or withdrawn.
    expect(load.acks.filter((a) => a.op === 'start').map((a) => a.code).filter((c, i, all) => all.indexOf(c) === i).sort()).toEqual(received);
    expect([...decided, ...withdrawn].sort()).toEqual(received);

    // The register: one dossier per acknowledged receive and no other, each with its events once.
    expect((await sql('intake', 'SELECT code FROM dossier WHERE applicant_full_name = $1 ORDER BY code', [LOAD_APPLICANT])).map((r) => r.code)).toEqual(received);
    const registerRows = await sql('intake', 'SELECT code, status FROM dossier WHERE code = ANY($1)', [received]);
    expect(registerRows.filter((r) => r.status !== (decided.has(r.code) ? 'RELEASING' : 'CANCELLED'))).toEqual([]);
    const events = await sql('intake', `SELECT dossier_code AS code, string_agg(system || ':' || type, ' ' ORDER BY at, id) AS events
                                          FROM dossier_event WHERE dossier_code = ANY($1) GROUP BY dossier_code`, [received]);
    const expectedEvents = (code: string) => (decided.has(code)
      ? 'intake:RECEIVED intake:HANDED_OVER transport:PROCESSING_STARTED transport:DECIDED'
      : 'intake:RECEIVED intake:HANDED_OVER transport:PROCESSING_STARTED intake:WITHDRAWAL_REQUESTED transport:WITHDRAWN');
    expect(events.filter((e) => e.events !== expectedEvents(e.code))).toEqual([]);
    expect(events).toHaveLength(received.length);

    // The department: one processing record per dossier, each step once.
    const processing = await sql('transport', `SELECT p.dossier_code AS code, p.status, string_agg(s.status, ' ' ORDER BY s.id) AS history
                                                 FROM processing p JOIN status_change s USING (dossier_code) WHERE p.dossier_code = ANY($1) GROUP BY p.dossier_code, p.status`, [received]);
    expect(processing).toHaveLength(received.length);
    const expectedHistory = (code: string) => (decided.has(code) ? 'RELEASING: NEW PROCESSING RELEASING' : 'CANCELLED: NEW PROCESSING CANCELLED');
    expect(processing.filter((p) => `${p.status}: ${p.history}` !== expectedHistory(p.code))).toEqual([]);

    expect(figures.outsideKills).toEqual({});
  }, 150_000);
});

function countBy(items: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const i of items) counts[i] = (counts[i] ?? 0) + 1;
  return counts;
}
