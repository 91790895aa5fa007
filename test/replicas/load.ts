/**
 * A steady load of reads and dossier lifecycles through the graph, as clients send it: every mutation carries an
 * idempotency key, and a failed one is sent again with the same key until it is answered.
 */
export interface Attempt {
  op: string;
  /** A mutation's idempotency key. */
  key?: string;
  startedAt: number;
  endedAt: number;
  /** Undefined when answered; else the GraphQL error code, `HTTP <status>` or `NETWORK`. */
  error?: string;
}

export type Mutation = 'receive' | 'start' | 'decide' | 'withdraw';

export interface Ack {
  op: Mutation;
  key: string;
  code: string;
  at: number;
}

const RECEIVE = `mutation($input: ReceiveDossierInput!, $key: String) { receiveDossier(input: $input, idempotencyKey: $key) { code } }`;
const START = `mutation($code: String!, $key: String) { transportStartProcessing(dossierCode: $code, idempotencyKey: $key) { status } }`;
const DECIDE = `mutation($code: String!, $key: String) { transportDecide(dossierCode: $code, decision: REJECTED, idempotencyKey: $key) { status } }`;
const WITHDRAW = `mutation($code: String!, $key: String) { withdrawDossier(dossierCode: $code, idempotencyKey: $key) { code } }`;
const VIEW = `query($code: String!) { dossier(code: $code) { code withdrawnAt processing { __typename status } } }`;

/** A transport procedure (1.002820, a driving licence): every dossier goes to the transport system. */
export const LOAD_PROCEDURE = '1.002820';
/** Carried by every dossier of the load, and by no other, so that the register can be counted for it. */
export const LOAD_APPLICANT = 'Nguyễn Tải Thử';

/** The client's retry backoff: a client's own, not a wait of the test. */
const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 800)));
const MAX_ATTEMPTS = 40;

export class Load {
  readonly attempts: Attempt[] = [];
  readonly acks: Ack[] = [];
  private stopping = false;
  private running: Promise<void>[] = [];

  constructor(
    private readonly url: string,
    private readonly tokens: { staff: string; officer: string },
    private readonly run: string,
  ) {}

  /** `lifecycles` clients each taking dossiers through their life, and `readers` clients reading them. */
  start(lifecycles: number, readers: number): void {
    for (let c = 0; c < lifecycles; c++) this.running.push(this.client(c));
    for (let r = 0; r < readers; r++) this.running.push(this.reader());
  }

  /** Lets each client finish the dossier in hand (so every key sent is answered), then resolves. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running);
  }

  acknowledged(op?: Mutation): number {
    return op ? this.acks.filter((a) => a.op === op).length : this.acks.length;
  }

  private async client(c: number): Promise<void> {
    for (let i = 0; !this.stopping; i++) {
      const key = (step: string) => `${this.run}-${c}-${i}-${step}`;
      const { receiveDossier } = await this.mutate('receive', key('receive'), RECEIVE, {
        input: { procedureCode: LOAD_PROCEDURE, channel: 'ONLINE', applicant: { fullName: LOAD_APPLICANT, idNumber: '056080009999' } },
      }, this.tokens.staff, (d) => d.receiveDossier.code);
      const code: string = receiveDossier.code;
      await this.mutate('start', key('start'), START, { code }, this.tokens.officer, () => code);
      if (i % 2 === 0) await this.mutate('decide', key('decide'), DECIDE, { code }, this.tokens.officer, () => code);
      else await this.mutate('withdraw', key('withdraw'), WITHDRAW, { code }, this.tokens.staff, () => code);
    }
  }

  private async reader(): Promise<void> {
    while (!this.stopping) {
      const recent = this.acks[this.acks.length - 1 - Math.floor(Math.random() * Math.min(this.acks.length, 10))];
      if (!recent) {
        await this.call('read', `{ departments { code } }`, {}, this.tokens.staff);
        continue;
      }
      await this.call('read', VIEW, { code: recent.code }, this.tokens.staff);
    }
  }

  private async mutate(op: Mutation, key: string, query: string, variables: Record<string, unknown>, token: string, codeOf: (data: any) => string): Promise<any> {
    for (let attempt = 1; ; attempt++) {
      const answer = await this.call(op, query, { ...variables, key }, token, key);
      if ('data' in answer) {
        this.acks.push({ op, key, code: codeOf(answer.data), at: Date.now() });
        return answer.data;
      }
      if (attempt >= MAX_ATTEMPTS) throw new Error(`${op} ${key}: not answered in ${attempt} attempts (last: ${answer.error})`);
      await backoff(attempt);
    }
  }

  private async call(op: string, query: string, variables: Record<string, unknown>, token: string, key?: string): Promise<{ data: any } | { error: string }> {
    const startedAt = Date.now();
    let error: string | undefined;
    let data: any;
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      let body: any;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      if (res.ok && body?.data && !body.errors) data = body.data;
      else error = body?.errors?.[0]?.extensions?.code ?? `HTTP ${res.status}`;
    } catch {
      error = 'NETWORK';
    }
    this.attempts.push({ op, key, startedAt, endedAt: Date.now(), error });
    return error === undefined ? { data } : { error };
  }
}
