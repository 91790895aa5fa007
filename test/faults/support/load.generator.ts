import { developmentToken } from '../../../gateway/auth';
import { loadConfig } from '../../../subgraphs/kit/config';
import type { Identity } from '../../../subgraphs/kit/identity';
import { formatTrackingNumber } from '../../../subgraphs/postal/tracking-number';

export type Kind = 'read' | 'report' | 'mutation';

/** One answer as a client sees it: the codes of its errors, or of the failure to get one. */
export interface Outcome {
  ok: boolean;
  /** Distinct error codes; NETWORK and CLIENT_TIMEOUT when no answer came. */
  codes: string[];
  data?: any;
  errors?: { message?: string; path?: unknown[]; extensions?: Record<string, unknown> }[];
  ms: number;
}

/** What clients saw while one phase ran. */
export class PhaseStats {
  requests = 0;
  failed = 0;
  readonly byKind: Record<Kind, { requests: number; failed: number }> = {
    read: { requests: 0, failed: 0 },
    report: { requests: 0, failed: 0 },
    mutation: { requests: 0, failed: 0 },
  };
  /** Failed requests by code, a request once per code it carried. */
  readonly codes: Record<string, number> = {};
  /** The same, by operation (dossier, report today, decide …), to tell whom an error concerns. */
  readonly codesByOperation: Record<string, Record<string, number>> = {};
  readonly latencies: number[] = [];
  /** A few answers per code, for the report: operation, message, path, request id; never a variable. */
  readonly samples: Record<string, string[]> = {};
  acknowledged = 0;
  refused = 0;
  /** Reads and reports not sent because too many were waiting for an answer. */
  notSent = 0;

  record(kind: Kind, operation: string, o: Outcome): void {
    this.requests++;
    this.byKind[kind].requests++;
    this.latencies.push(o.ms);
    if (o.ok) return;
    this.failed++;
    this.byKind[kind].failed++;
    for (const code of o.codes) {
      this.codes[code] = (this.codes[code] ?? 0) + 1;
      const ops = (this.codesByOperation[code] ??= {});
      ops[operation] = (ops[operation] ?? 0) + 1;
      const kept = (this.samples[code] ??= []);
      if (kept.length < 3) {
        const e = o.errors?.find((x) => (x.extensions?.code ?? 'NO_CODE') === code);
        kept.push(`${operation}${e ? `: ${e.message ?? ''} at ${JSON.stringify(e.path ?? null)} (request ${e.extensions?.requestId ?? '?'})` : ''}`);
      }
    }
  }
}

/** Refusals that are the system lagging behind an acknowledged step, not a verdict: the client tries again. */
export const LAGGING = { NOT_FOUND: 'NOT_FOUND (hand-over not there yet)', CONFLICT: 'CONFLICT (register behind)' };

const FINAL_CODES = new Set(['BAD_USER_INPUT', 'FORBIDDEN', 'CONFLICT', 'NOT_FOUND', 'UNAUTHENTICATED']);

export interface SystemUnderLoad {
  /** The registry name of the system that processes it; 'one-stop' is the centre's own, in intake. */
  system: 'transport' | 'police' | 'industry-trade' | 'one-stop';
  /** The prefix of its steps (transportStartProcessing …). */
  prefix: string;
  department: string;
  procedure: string;
}

export const SYSTEMS: SystemUnderLoad[] = [
  { system: 'transport', prefix: 'transport', department: 'SGTVT', procedure: '1.002820' },
  { system: 'police', prefix: 'police', department: 'CAT', procedure: '1.003930' },
  { system: 'industry-trade', prefix: 'industryTrade', department: 'SCT', procedure: '2.000176' },
  { system: 'one-stop', prefix: 'oneStop', department: 'STP', procedure: '2.000488' },
];

export type JourneyKind = 'decide' | 'supplement' | 'withdraw' | 'race';

export interface StepRecord {
  name: string;
  key: string;
  attempts: number;
  /** acked: a success answer; refused: a coded verdict; unresolved: still failing when the client gave up. */
  outcome: 'acked' | 'refused' | 'unresolved';
  codes: string[];
  data?: any;
}

/** A dossier's life as one client drove it: what it asked for and what it was told. */
export interface Journey {
  id: number;
  kind: JourneyKind;
  target: SystemUnderLoad;
  channel: 'ONLINE' | 'DIRECT' | 'POSTAL';
  /** The item a POSTAL dossier came by. */
  inbound?: string;
  returnChannel: 'DIRECT' | 'POSTAL';
  rate: boolean;
  /** Unique to the journey: how the checker finds its dossiers in the register. */
  idNumber: string;
  code?: string;
  steps: StepRecord[];
  done: boolean;
}

export interface Rates {
  readsPerSecond: number;
  reportsPerSecond: number;
  journeysPerSecond: number;
}

const RECEIVE = `mutation($input: ReceiveDossierInput!, $key: String) { receiveDossier(input: $input, idempotencyKey: $key) { code dueAt } }`;
const READ = `query($c: String!) { dossier(code: $c) {
  code channel dueAt withdrawnAt withdrawalRequestedAt department { code }
  processing { __typename status decision history { status at } }
  shipments { trackingNumber direction status }
  deadline { workingHoursLeft paused }
} }`;
const LIST = `query($d: String!) { dossiers(filter: { departmentCode: $d }, first: 10, orderBy: RECEIVED_AT_DESC) {
  edges { node { code processing { __typename status } } } } }`;
const REPORT_DAY = `query($d: Date!) { report(from: $d, to: $d) {
  received { total } resolved { total } withdrawn inProcess { total } balanced reconciliation { consistent problems } } }`;
const REPORT_APRIL = `{ report(from: "2020-04-01", to: "2020-04-30") {
  carriedOver received { total } resolved { total } inProcess { total overdue } balanced
  byDepartment { department { code } received { total } } reconciliation { consistent } } }`;

/** A seeded generator, so that two runs make the same mix. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Today in Vietnam, as the report's dates are counted. */
export const vietnamDay = (at = Date.now()) => new Date(at + 7 * 3_600_000).toISOString().slice(0, 10);

/**
 * A steady mix of dossier reads, report queries and dossier lives (receive, start, supplement, decide, withdraw,
 * return, rate) through the gateway. Each mutation carries an idempotency key, and a client that gets an error,
 * or no answer, sends it again with the same key until it is acknowledged or refused, as a real client would.
 * Every request is counted under the phase its answer (or its failure) came in: the fault it suffered from, when a
 * request sent just before a fault meets it.
 */
export class LoadGenerator {
  phase = 'setup';
  readonly stats = new Map<string, PhaseStats>();
  readonly journeys: Journey[] = [];
  private readonly random: () => number;
  private readonly tokens = new Map<string, string>();
  private readonly tasks = new Set<Promise<void>>();
  private readonly knownCodes: string[];
  private loop?: NodeJS.Timeout;
  private inflight = 0;
  private requestSeq = 0;
  private giveUpAt = Infinity;

  constructor(
    private readonly gatewayUrl: string,
    private readonly rates: Rates,
    demoCodes: string[],
    private readonly o: { seed: number; clientTimeoutMs: number; maxInflight: number; runTag: string },
  ) {
    this.random = seeded(o.seed);
    this.knownCodes = [...demoCodes];
  }

  statsOf(phase: string): PhaseStats {
    let s = this.stats.get(phase);
    if (!s) this.stats.set(phase, (s = new PhaseStats()));
    return s;
  }

  /** Starts sending at the configured rates until stopNew(). */
  start(): void {
    const credit = { read: 0, report: 0, journey: 0 };
    let last = Date.now();
    this.loop = setInterval(() => {
      const now = Date.now();
      const dt = (now - last) / 1000;
      last = now;
      credit.read += this.rates.readsPerSecond * dt;
      credit.report += this.rates.reportsPerSecond * dt;
      credit.journey += this.rates.journeysPerSecond * dt;
      for (; credit.read >= 1; credit.read--) this.fireRead();
      for (; credit.report >= 1; credit.report--) this.fireReport();
      for (; credit.journey >= 1; credit.journey--) this.track(this.journey());
    }, 50);
  }

  /** No new reads, reports or dossiers; dossiers already under way go on. */
  stopNew(): void {
    clearInterval(this.loop);
  }

  /** Waits for every dossier under way; a step still failing at `giveUpAtMs` stays unresolved. */
  async finish(giveUpAtMs: number): Promise<void> {
    this.giveUpAt = giveUpAtMs;
    while (this.tasks.size) await Promise.all([...this.tasks]);
  }

  /** One request outside the mix (a recovery probe): not counted. */
  probe(query: string, variables: Record<string, unknown>, as: Identity, timeoutMs = 2_000): Promise<Outcome> {
    return this.post(query, variables, as, timeoutMs);
  }

  private track(task: Promise<void>): void {
    this.tasks.add(task);
    void task.finally(() => this.tasks.delete(task));
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }

  private fireRead(): void {
    if (this.inflight >= this.o.maxInflight) return void this.statsOf(this.phase).notSent++;
    const created = this.journeys.filter((j) => j.code);
    const useCreated = created.length > 0 && this.random() < 0.5;
    if (this.random() < 0.2) {
      const department = this.pick(SYSTEMS).department;
      this.track(this.counted('read', 'dossiers', LIST, { d: department }, STAFF).then(() => undefined));
      return;
    }
    const code = useCreated ? this.pick(created).code! : this.pick(this.knownCodes);
    this.track(this.counted('read', 'dossier', READ, { c: code }, STAFF).then(() => undefined));
  }

  private fireReport(): void {
    if (this.inflight >= this.o.maxInflight) return void this.statsOf(this.phase).notSent++;
    const april = this.random() < 0.3;
    this.track(this.counted('report', april ? 'report April 2020' : 'report today', april ? REPORT_APRIL : REPORT_DAY, april ? {} : { d: vietnamDay() }, REPORT_BUILDER)
      .then(() => undefined));
  }

  private async counted(kind: Kind, operation: string, query: string, variables: Record<string, unknown>, as: Identity): Promise<Outcome> {
    this.inflight++;
    try {
      const o = await this.post(query, variables, as, this.o.clientTimeoutMs);
      this.statsOf(this.phase).record(kind, operation, o);
      return o;
    } finally {
      this.inflight--;
    }
  }

  private async token(as: Identity): Promise<string> {
    const key = `${as.role}|${as.subject}|${as.department ?? ''}`;
    let t = this.tokens.get(key);
    if (!t) this.tokens.set(key, (t = await developmentToken(loadConfig({}).auth, as)));
    return t;
  }

  private async post(query: string, variables: Record<string, unknown>, as: Identity, timeoutMs: number): Promise<Outcome> {
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    try {
      const res = await fetch(this.gatewayUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          authorization: `Bearer ${await this.token(as)}`,
          'x-request-id': `faults-${this.o.runTag}-${++this.requestSeq}`,
        },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      let body: { data?: any; errors?: Outcome['errors'] };
      try {
        body = JSON.parse(text);
      } catch {
        return { ok: false, codes: [`HTTP_${res.status}`], ms: ms() };
      }
      const errors = body.errors ?? [];
      const codes = [...new Set(errors.map((e) => String(e.extensions?.code ?? 'NO_CODE')))];
      if (!res.ok && codes.length === 0) codes.push(`HTTP_${res.status}`);
      return { ok: res.ok && errors.length === 0, codes, data: body.data, errors, ms: ms() };
    } catch (e) {
      return { ok: false, codes: [(e as Error).name === 'TimeoutError' ? 'CLIENT_TIMEOUT' : 'NETWORK'], ms: ms() };
    }
  }

  private async journey(): Promise<void> {
    const id = this.journeys.length + 1;
    const r = this.random();
    const kind: JourneyKind = r < 0.55 ? 'decide' : r < 0.7 ? 'supplement' : r < 0.85 ? 'withdraw' : 'race';
    const t = this.random();
    const target = t < 0.3 ? SYSTEMS[0] : t < 0.6 ? SYSTEMS[1] : t < 0.85 ? SYSTEMS[2] : SYSTEMS[3];
    const c = this.random();
    const channel = c < 0.6 ? 'ONLINE' : c < 0.9 ? 'DIRECT' : 'POSTAL';
    const j: Journey = {
      id,
      kind,
      target,
      channel,
      inbound: channel === 'POSTAL' ? formatTrackingNumber('RR', Number(this.o.runTag.replace(/\D/g, '').slice(-3) || 0) * 100_000 + id) : undefined,
      returnChannel: this.random() < 0.4 ? 'POSTAL' : 'DIRECT',
      rate: this.random() < 0.5,
      idNumber: `0569${this.o.runTag.replace(/\D/g, '').slice(-3).padStart(3, '0')}${String(id).padStart(5, '0')}`,
      steps: [],
      done: false,
    };
    this.journeys.push(j);
    try {
      await this.live(j);
    } finally {
      j.done = true;
    }
  }

  private async live(j: Journey): Promise<void> {
    const officer: Identity = { subject: `officer-${j.target.department}`, role: 'DEPARTMENT_OFFICER', department: j.target.department };
    const received = await this.step(j, 'receive', RECEIVE, {
      input: {
        procedureCode: j.target.procedure,
        channel: j.channel,
        inboundTrackingNumber: j.inbound ?? null,
        applicant: { fullName: 'Nguyễn Thị Kiểm Thử', idNumber: j.idNumber, address: 'Số 1 Trần Phú, thành phố Nha Trang, tỉnh Khánh Hòa' },
      },
    }, STAFF);
    if (!received) return;
    j.code = received.receiveDossier.code;
    const p = j.target.prefix;
    const dept = (name: string, args = '') =>
      `mutation($c: String!, $key: String) { ${p}${name}(dossierCode: $c${args}, idempotencyKey: $key) { status } }`;
    await this.think();
    // The department's system has the dossier once the hand-over arrived: until then the officer cannot see it.
    if (!(await this.step(j, 'start', dept('StartProcessing'), { c: j.code }, officer, { lagging: 'NOT_FOUND' }))) return;
    await this.think();
    const decision = j.id % 2 ? 'APPROVED' : 'REJECTED';
    const decide = () => this.step(j, 'decide', dept('Decide', `, decision: ${decision}`), { c: j.code }, officer);
    const withdraw = () => this.step(j, 'withdraw',
      `mutation($c: String!, $key: String) { withdrawDossier(dossierCode: $c, idempotencyKey: $key) { code withdrawnAt withdrawalRequestedAt } }`,
      { c: j.code }, STAFF);
    if (j.kind === 'withdraw') return void (await withdraw());
    if (j.kind === 'race') return void (await Promise.all([decide(), withdraw()]));
    if (j.kind === 'supplement') {
      if (!(await this.step(j, 'requestSupplement', dept('RequestSupplement', ', note: "Bản sao có chứng thực"'), { c: j.code }, officer))) return;
      await this.think();
      if (!(await this.step(j, 'receiveSupplement', dept('ReceiveSupplement'), { c: j.code }, officer))) return;
      await this.think();
    }
    if (!(await decide())) return;
    await this.think();
    // The register learns the decision from the department's hand-over: until then the result cannot go back.
    const returned = await this.step(j, 'returnResult',
      `mutation($c: String!, $key: String) { returnResult(dossierCode: $c, channel: ${j.returnChannel}, idempotencyKey: $key) { code returnChannel } }`,
      { c: j.code }, STAFF, { lagging: 'CONFLICT' });
    if (!returned || !j.rate) return;
    await this.think();
    await this.step(j, 'rate',
      `mutation($c: String!, $key: String) { rateService(dossierCode: $c, level: VERY_SATISFIED, idempotencyKey: $key) { level } }`,
      { c: j.code }, STAFF);
  }

  private think(): Promise<void> {
    return new Promise((r) => setTimeout(r, 200 + this.random() * 400));
  }

  /**
   * One mutation, sent until it is acknowledged (its data) or refused with a code (null), always with the same
   * idempotency key. A refusal named in `lagging` is the other system not there yet: sent again too.
   */
  private async step(
    j: Journey,
    name: string,
    query: string,
    variables: Record<string, unknown>,
    as: Identity,
    o: { lagging?: keyof typeof LAGGING } = {},
  ): Promise<any | null> {
    const record: StepRecord = { name, key: `faults-${this.o.runTag}-${j.id}-${name}`, attempts: 0, outcome: 'unresolved', codes: [] };
    j.steps.push(record);
    for (let attempt = 0; ; attempt++) {
      const o2 = await this.post(query, { ...variables, key: record.key }, as, this.o.clientTimeoutMs);
      record.attempts++;
      const lagging = o.lagging && o2.codes.length === 1 && o2.codes[0] === o.lagging && this.isLag(o.lagging, o2);
      const stats = this.statsOf(this.phase);
      stats.record('mutation', name, lagging ? { ...o2, codes: [LAGGING[o.lagging!]] } : o2);
      if (o2.ok) {
        record.outcome = 'acked';
        record.data = o2.data;
        stats.acknowledged++;
        return o2.data;
      }
      record.codes = o2.codes;
      if (!lagging && o2.codes.length > 0 && o2.codes.every((c) => FINAL_CODES.has(c))) {
        record.outcome = 'refused';
        stats.refused++;
        return null;
      }
      if (Date.now() > this.giveUpAt) return null;
      await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** attempt, 4_000) * (0.75 + this.random() / 2)));
    }
  }

  private isLag(code: keyof typeof LAGGING, o: Outcome): boolean {
    if (code === 'NOT_FOUND') return true;
    const current = o.errors?.[0]?.extensions?.currentStatus;
    return current === 'NEW' || current === 'PROCESSING' || current === 'WAITING';
  }
}

export const STAFF: Identity = { subject: 'faults-counter', role: 'CENTRE_STAFF' };
export const REPORT_BUILDER: Identity = { subject: 'faults-report', role: 'REPORT_BUILDER' };
