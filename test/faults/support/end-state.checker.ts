import { databaseName, SUBGRAPHS } from '../../../subgraphs/registry';
import type { Journey, StepRecord } from './load.generator';
import type { PostgresServer } from './postgres.server';

/** One thing a system holds that the acknowledged answers say it should not, or lacks. */
export interface Finding {
  kind: 'lost' | 'duplicated' | 'inconsistent';
  dossier: string;
  what: string;
}

export interface EndState {
  /** Dossiers whose receipt was acknowledged. */
  dossiers: number;
  acknowledged: number;
  refused: number;
  /** Mutations the client gave up on, still failing: their effect is unknown, so only duplicates are judged. */
  unresolved: number;
  findings: Finding[];
  /** Dossier lives by kind, and how the races of a decision and a withdrawal ended. */
  lives: Record<string, number>;
  races: { decided: number; withdrawn: number; unsettled: number };
  /** Undelivered hand-overs (dead letters included) by system and destination. */
  pending: Record<string, number>;
  deadLetters: number;
}

/** Events the register logs once in a dossier's life, at most. */
const ONCE = [
  'RECEIVED', 'HANDED_OVER', 'PROCESSING_STARTED', 'SUPPLEMENT_REQUESTED', 'SUPPLEMENT_RECEIVED', 'DECIDED', 'WITHDRAWN',
  'RESULT_RETURNED', 'RATED', 'SHIPMENT_ACCEPTED', 'SHIPMENT_DELIVERED', 'WITHDRAWAL_REQUESTED', 'WITHDRAWAL_REFUSED',
];

const step = (j: Journey, name: string): StepRecord | undefined => j.steps.find((s) => s.name === name);
const acked = (j: Journey, name: string) => step(j, name)?.outcome === 'acked';

/**
 * Counts, in each system's own database, what every journey's acknowledged mutations must have left there:
 * each exactly once; and what refused ones must not have.
 */
export async function checkEndState(pg: PostgresServer, journeys: Journey[]): Promise<EndState> {
  const db = (name: string) => databaseName(name);
  const findings: Finding[] = [];
  const received = journeys.filter((j) => acked(j, 'receive'));
  const codes = received.map((j) => j.code!);
  const ids = journeys.map((j) => j.idNumber);

  const byId = group(await pg.query(db('intake'),
    `SELECT applicant_id_number AS id, code, status, decision, withdrawn_at IS NOT NULL AS withdrawn,
            withdrawal_requested_at IS NOT NULL AS requested, return_channel AS "returnChannel"
       FROM dossier WHERE applicant_id_number = ANY($1)`, [ids]), (r) => r.id);
  const events = group(await pg.query(db('intake'),
    `SELECT dossier_code AS code, type, count(*)::int AS n FROM dossier_event WHERE dossier_code = ANY($1) GROUP BY 1, 2`, [codes]), (r) => r.code);
  const ratings = index(await pg.query(db('intake'),
    `SELECT dossier_code AS code, count(*)::int AS n FROM rating WHERE dossier_code = ANY($1) GROUP BY 1`, [codes]), (r) => r.code);
  const shipments = group(await pg.query(db('postal'),
    `SELECT dossier_code AS code, direction, tracking_number AS "trackingNumber" FROM shipment WHERE dossier_code = ANY($1)`, [codes]), (r) => r.code);
  const processing: Record<string, Map<string, any>> = {};
  const changes: Record<string, Map<string, any[]>> = {};
  for (const system of ['intake', 'transport', 'police', 'industry-trade']) {
    processing[system] = index(await pg.query(db(system),
      `SELECT dossier_code AS code, status, decision FROM processing WHERE dossier_code = ANY($1)`, [codes]), (r) => r.code);
    changes[system] = group(await pg.query(db(system),
      `SELECT dossier_code AS code, status, count(*)::int AS n FROM status_change WHERE dossier_code = ANY($1) GROUP BY 1, 2`, [codes]), (r) => r.code);
  }

  for (const j of journeys) {
    const rows = byId.get(j.idNumber) ?? [];
    const receipt = step(j, 'receive');
    if (rows.length > 1) findings.push({ kind: 'duplicated', dossier: rows.map((r) => r.code).join(', '), what: `${rows.length} dossiers for one receipt (one idempotency key)` });
    if (receipt?.outcome !== 'acked') {
      if (receipt?.outcome === 'refused' && rows.length) findings.push({ kind: 'inconsistent', dossier: rows[0].code, what: 'a refused receipt was stored' });
      continue;
    }
    const code = j.code!;
    const register = rows.find((r) => r.code === code);
    if (!register) {
      findings.push({ kind: 'lost', dossier: code, what: 'acknowledged receipt not in the register' });
      continue;
    }
    const settled = j.steps.every((s) => s.outcome !== 'unresolved');
    const expected = expectation(j);
    const found = (kind: Finding['kind'], what: string) => findings.push({ kind, dossier: code, what });
    if (expected.contradiction) found('inconsistent', expected.contradiction);

    // The processing system's own record.
    const system = j.target.system === 'one-stop' ? 'intake' : j.target.system;
    const record = processing[system].get(code);
    const history: Record<string, number> = Object.fromEntries((changes[system].get(code) ?? []).map((r) => [r.status, r.n]));
    if (!record) found('lost', `not in ${system}'s processing records`);
    for (const [status, n] of Object.entries(history)) {
      const want = expected.changes[status] ?? 0;
      // A step the client gave up on may have been applied, once.
      const limit = settled ? want : Math.max(want, 1);
      if (n > limit) found(n > Math.max(want, 1) ? 'duplicated' : 'inconsistent', `${system}: ${status} recorded ${n} times, acknowledged ${want}`);
    }
    for (const [status, want] of Object.entries(expected.changes)) {
      if (settled && (history[status] ?? 0) < want) found('lost', `${system}: ${status} acknowledged, recorded ${history[status] ?? 0} times`);
    }
    if (record && settled && expected.status && record.status !== expected.status) found('inconsistent', `${system} says ${record.status}, the acknowledged steps say ${expected.status}`);
    if (record && record.status !== register.status) found('inconsistent', `register says ${register.status}, ${system} says ${record.status}`);
    if (record && (record.decision ?? null) !== (register.decision ?? null)) found('inconsistent', `register's decision ${register.decision}, ${system}'s ${record.decision}`);
    if (register.requested) found('inconsistent', 'a withdrawal request is still unanswered in the register');
    if (settled && register.withdrawn !== (expected.status === 'CANCELLED')) found('inconsistent', `register withdrawnAt ${register.withdrawn ? 'set' : 'unset'}, final status ${expected.status}`);

    // The register's timeline: every once-only event exactly once when acknowledged, never when refused.
    const seen: Record<string, number> = Object.fromEntries((events.get(code) ?? []).map((r) => [r.type, r.n]));
    for (const type of ONCE) {
      const n = seen[type] ?? 0;
      const want = expected.events[type];
      if (n > 1) found('duplicated', `register: event ${type} ${n} times`);
      if (want === 'once' && n === 0 && settled) found('lost', `register: no ${type} event`);
      if (want === undefined && n > 0 && settled) found('inconsistent', `register: event ${type} for a step not acknowledged`);
    }
    if (settled && j.target.system !== 'one-stop' && (seen.WITHDRAWAL_REQUESTED ?? 0) !== (seen.WITHDRAWN ?? 0) + (seen.WITHDRAWAL_REFUSED ?? 0)) {
      found('inconsistent', `register: ${seen.WITHDRAWAL_REQUESTED ?? 0} withdrawal requests, ${seen.WITHDRAWN ?? 0} withdrawn, ${seen.WITHDRAWAL_REFUSED ?? 0} refused`);
    }
    const rated = ratings.get(code)?.n ?? 0;
    if (rated > 1) found('duplicated', `${rated} ratings`);
    if (settled && rated !== (acked(j, 'rate') ? 1 : 0)) found(rated ? 'inconsistent' : 'lost', `${rated} ratings, acknowledged ${acked(j, 'rate') ? 1 : 0}`);

    // Postal: the item a dossier came by, and the one its result goes back in.
    const items = shipments.get(code) ?? [];
    const outbound = items.filter((s) => s.direction === 'OUTBOUND').length;
    const inbound = items.filter((s) => s.direction === 'INBOUND').length;
    const wantOutbound = acked(j, 'returnResult') && j.returnChannel === 'POSTAL' ? 1 : 0;
    if (outbound > 1) found('duplicated', `postal: ${outbound} outbound items`);
    if (settled && outbound < wantOutbound) found('lost', 'postal: no outbound item for a result returned by post');
    if (settled && outbound > wantOutbound) found('inconsistent', 'postal: an outbound item for a result not returned by post');
    if (j.channel === 'POSTAL' && inbound !== 1) found(inbound ? 'duplicated' : 'lost', `postal: ${inbound} inbound items for ${j.inbound}`);
  }

  const pending: Record<string, number> = {};
  let deadLetters = 0;
  for (const s of SUBGRAPHS) {
    const hasDead = (await pg.query(db(s.name), `SELECT 1 FROM information_schema.columns WHERE table_name = 'outbox_message' AND column_name = 'dead_at'`)).length > 0;
    const rows = await pg.query(db(s.name),
      `SELECT destination, count(*)::int AS n, ${hasDead ? 'count(*) FILTER (WHERE dead_at IS NOT NULL)::int' : '0'} AS dead
         FROM outbox_message WHERE delivered_at IS NULL GROUP BY destination`);
    for (const r of rows) {
      pending[`${s.name} → ${r.destination}`] = r.n;
      deadLetters += r.dead;
    }
  }
  const all = journeys.flatMap((j) => j.steps);
  const lives: Record<string, number> = {};
  for (const j of received) lives[j.kind] = (lives[j.kind] ?? 0) + 1;
  const races = received.filter((j) => j.kind === 'race' && acked(j, 'start'));
  const raceDecided = races.filter((j) => acked(j, 'decide')).length;
  const raceWithdrawn = races.filter((j) => !acked(j, 'decide') && acked(j, 'withdraw')).length;
  return {
    lives,
    races: { decided: raceDecided, withdrawn: raceWithdrawn, unsettled: races.length - raceDecided - raceWithdrawn },
    dossiers: received.length,
    acknowledged: all.filter((s) => s.outcome === 'acked').length,
    refused: all.filter((s) => s.outcome === 'refused').length,
    unresolved: all.filter((s) => s.outcome === 'unresolved').length,
    findings,
    pending,
    deadLetters,
  };
}

interface Expectation {
  /** The final status the acknowledged steps lead to; undefined when a step's outcome is unknown. */
  status?: string;
  /** Status changes in the processing system, by status. */
  changes: Record<string, number>;
  /** Once-only register events: 'once' when an acknowledged step must have written it, 'maybe' when it may. */
  events: Record<string, 'once' | 'maybe'>;
  contradiction?: string;
}

/** What a journey's answers say every system must hold. */
function expectation(j: Journey): Expectation {
  const decided = acked(j, 'decide');
  const withdraw = step(j, 'withdraw');
  const withdrawnNow = withdraw?.outcome === 'acked' && !!withdraw.data?.withdrawDossier?.withdrawnAt;
  const cancelled = withdraw?.outcome === 'acked' && !decided;
  const returned = acked(j, 'returnResult');
  const changes: Record<string, number> = { NEW: 1 };
  const events: Expectation['events'] = { RECEIVED: 'once', HANDED_OVER: 'once' };
  let status = 'NEW';
  if (acked(j, 'start')) {
    changes.PROCESSING = 1;
    events.PROCESSING_STARTED = 'once';
    status = 'PROCESSING';
  }
  if (acked(j, 'requestSupplement')) {
    changes.WAITING = 1;
    events.SUPPLEMENT_REQUESTED = 'once';
    status = 'WAITING';
  }
  if (acked(j, 'receiveSupplement')) {
    changes.PROCESSING = (changes.PROCESSING ?? 0) + 1;
    events.SUPPLEMENT_RECEIVED = 'once';
    status = 'PROCESSING';
  }
  if (decided) {
    changes.RELEASING = 1;
    events.DECIDED = 'once';
    status = 'RELEASING';
  }
  if (withdraw && j.target.system !== 'one-stop') {
    // A request is written before its answer: a refusal may or may not have reached the register first.
    events.WITHDRAWAL_REQUESTED = cancelled ? 'once' : 'maybe';
    events.WITHDRAWAL_REFUSED = 'maybe';
  }
  if (cancelled) {
    changes.CANCELLED = 1;
    events.WITHDRAWN = 'once';
    status = 'CANCELLED';
  }
  if (returned) {
    changes.DONE = 1;
    events.RESULT_RETURNED = 'once';
    status = 'DONE';
    if (j.returnChannel === 'POSTAL') events.SHIPMENT_ACCEPTED = 'once';
  }
  if (acked(j, 'rate')) events.RATED = 'once';
  if (j.channel === 'POSTAL') events.SHIPMENT_DELIVERED = 'once';
  const contradiction = decided && withdrawnNow
    ? 'both the decision and the withdrawal were acknowledged as done'
    : withdraw && withdraw.outcome === 'refused' && step(j, 'decide')?.outcome === 'refused'
      ? 'both the decision and the withdrawal were refused'
      : withdraw?.outcome === 'refused' && !step(j, 'decide')
        ? 'a withdrawal of an undecided dossier was refused'
        : undefined;
  return { status, changes, events, contradiction };
}

function group<T>(rows: T[], key: (r: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}

function index<T>(rows: T[], key: (r: T) => string): Map<string, T> {
  return new Map(rows.map((r) => [key(r), r]));
}
