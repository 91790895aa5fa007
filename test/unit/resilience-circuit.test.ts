import { GraphQLError } from 'graphql';
import { Registry } from 'prom-client';
import { subgraphCallMetrics } from '../../subgraphs/kit/telemetry/metrics';
import { CallBudget, SubgraphCallFailed, SubgraphCallPolicy } from '../../gateway/resilience/subgraph-call.policy';
import { RequestDeadline } from '../../gateway/resilience/deadline';
import { capturingLogger } from '../support/system';
import { until } from '../support/waiting';

function policy(o: { retries?: number; circuitFailures?: number; circuitHalfOpenAfterMs?: number; circuitFirstProbeMs?: number } = {}) {
  const registry = new Registry();
  const gauge = subgraphCallMetrics(registry).circuitOpen;
  const { log, lines } = capturingLogger();
  const p = new SubgraphCallPolicy('transport', { retries: 0, circuitFailures: 5, circuitHalfOpenAfterMs: 200, ...o }, { gauge, log });
  const open = async () => (await gauge.get()).values.find((v) => v.labels.subgraph === 'transport')?.value;
  return { p, open, lines: () => lines.map((l) => JSON.parse(l)) };
}

const query: CallBudget = { kind: 'query', timeoutMs: 1_000, leftMs: () => 10_000 };
const mutation: CallBudget = { ...query, kind: 'mutation' };

/** An attempt that fails as `failure` and counts how often it ran. */
function failing(failure: () => Error) {
  const a = Object.assign(async () => {
    a.calls++;
    throw failure();
  }, { calls: 0 });
  return a;
}

const reasonOf = (run: Promise<unknown>) => run.then(() => 'answered', (e) => (e instanceof SubgraphCallFailed ? e.reason : `other: ${e.message}`));

describe('a circuit breaker per subgraph', () => {
  it('when 5 calls in a row fail, then it opens (gauge 1), the next calls fail at once without being made, and it is logged once', async () => {
    // No half-open probe may fall inside the 20 calls, however slow a loaded machine makes them.
    const { p, open, lines } = policy({ circuitHalfOpenAfterMs: 60_000, circuitFirstProbeMs: 60_000 });
    const attempt = failing(() => new SubgraphCallFailed('connection'));
    expect(await open()).toBe(0);
    for (let i = 0; i < 4; i++) expect(await reasonOf(p.run(query, attempt))).toBe('connection');
    expect(p.open).toBe(false);
    expect(await reasonOf(p.run(query, attempt))).toBe('connection');
    expect(p.open).toBe(true);
    expect(await open()).toBe(1);
    for (let i = 0; i < 20; i++) expect(await reasonOf(p.run(query, attempt))).toBe('open');
    expect(attempt.calls).toBe(5);
    expect(lines().map((l) => [l.level, l.msg, l.subgraph])).toEqual([[40, 'circuit opened: calls to the subgraph fail at once', 'transport']]);
  });

  it('when an answer comes between failures, then the count starts again', async () => {
    const { p } = policy();
    const attempt = failing(() => new SubgraphCallFailed('status', 503));
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) await reasonOf(p.run(query, attempt));
      expect(await p.run(query, async () => 'ok')).toBe('ok');
    }
    expect(p.open).toBe(false);
  });

  it('when a call is refused for its own reasons (a coded error the subgraph wrote), then it is passed on and does not count', async () => {
    const { p } = policy({ circuitFailures: 2 });
    for (let i = 0; i < 5; i++) {
      expect(await reasonOf(p.run(query, async () => Promise.reject(new GraphQLError('bad date', { extensions: { code: 'BAD_USER_INPUT' } }))))).toBe('other: bad date');
    }
    expect(p.open).toBe(false);
  });

  it('when the system is back after the circuit opened, then one half-open probe goes through, the calls during it fail at once, and its answer closes the circuit (gauge 0, logged once)', async () => {
    const { p, open, lines } = policy({ circuitFailures: 1, circuitHalfOpenAfterMs: 100 });
    await reasonOf(p.run(query, failing(() => new SubgraphCallFailed('timeout'))));
    expect(p.open).toBe(true);
    let release!: (v: string) => void;
    const probe = await until('a probe to be let through', async () => {
      let sent = false;
      const run = p.run(query, () => {
        sent = true;
        return new Promise<string>((resolve) => (release = resolve));
      });
      if (sent) return { run };
      await run.catch(() => undefined);
      return undefined;
    });
    expect(await open()).toBe(1);
    const during = failing(() => new Error('must not be called'));
    expect(await reasonOf(p.run(query, during))).toBe('open');
    expect(during.calls).toBe(0);
    release('back');
    expect(await probe.run).toBe('back');
    expect(p.open).toBe(false);
    expect(await open()).toBe(0);
    expect(await p.run(query, async () => 'again')).toBe('again');
    expect(lines().map((l) => l.msg)).toEqual(['circuit opened: calls to the subgraph fail at once', 'circuit closed: the subgraph answers again']);
  });

  it('when a half-open probe fails, then the circuit opens again without another log line', async () => {
    const { p, lines } = policy({ circuitFailures: 1, circuitHalfOpenAfterMs: 50 });
    const attempt = failing(() => new SubgraphCallFailed('connection'));
    await reasonOf(p.run(query, attempt));
    await until('a failed probe', async () => (await reasonOf(p.run(query, attempt))) === 'connection');
    expect(attempt.calls).toBe(2);
    expect(p.open).toBe(true);
    expect(lines().map((l) => l.msg)).toEqual(['circuit opened: calls to the subgraph fail at once']);
  });
});

describe('retries', () => {
  it.each([
    ['a connection error', () => new SubgraphCallFailed('connection')],
    ['a 502', () => new SubgraphCallFailed('status', 502)],
    ['a 503', () => new SubgraphCallFailed('status', 503)],
    ['a 504', () => new SubgraphCallFailed('status', 504)],
  ])('when a query meets %s, then it is sent again, at most `retries` times', async (_, failure) => {
    for (const retries of [1, 2]) {
      const { p } = policy({ retries });
      const attempt = failing(failure);
      await reasonOf(p.run(query, attempt));
      expect(attempt.calls).toBe(1 + retries);
    }
  });

  it.each([
    ['a timeout', () => new SubgraphCallFailed('timeout')],
    ['a 500', () => new SubgraphCallFailed('status', 500)],
    ['an answer that is not GraphQL', () => new SubgraphCallFailed('answer')],
    ['a coded refusal', () => new GraphQLError('no', { extensions: { code: 'FORBIDDEN' } })],
  ])('when a query meets %s, then it is not sent again', async (_, failure) => {
    const { p } = policy({ retries: 2 });
    const attempt = failing(failure);
    await reasonOf(p.run(query, attempt));
    expect(attempt.calls).toBe(1);
  });

  it('when a mutation meets a connection error or a 503, then it is never sent again', async () => {
    const { p } = policy({ retries: 2 });
    for (const failure of [() => new SubgraphCallFailed('connection'), () => new SubgraphCallFailed('status', 503)]) {
      const attempt = failing(failure);
      await reasonOf(p.run(mutation, attempt));
      expect(attempt.calls).toBe(1);
    }
  });

  it('when the second attempt answers, then the query answers', async () => {
    const { p } = policy({ retries: 1 });
    let calls = 0;
    expect(await p.run(query, async () => (++calls === 1 ? Promise.reject(new SubgraphCallFailed('status', 503)) : 'second'))).toBe('second');
  });

  it('when the deadline has passed by the time of a retry, then no further attempt is made', async () => {
    const { p } = policy({ retries: 2 });
    const left = [1_000];
    const attempt = failing(() => new SubgraphCallFailed('connection'));
    const reason = await reasonOf(p.run({ ...query, leftMs: () => left.shift() ?? 0 }, attempt));
    expect(attempt.calls).toBe(1);
    expect(reason).toBe('spent');
  });
});

describe('the time of one call', () => {
  /** An attempt that never answers: it ends when its signal aborts. */
  const hanging = (signal: AbortSignal) => new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));

  it('when the subgraph does not answer within its timeout, then the call ends as a timeout, and counts', async () => {
    const { p } = policy({ circuitFailures: 1 });
    const started = performance.now();
    expect(await reasonOf(p.run({ ...query, timeoutMs: 50 }, hanging))).toBe('timeout');
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(p.open).toBe(true);
  });

  it('when less of the deadline is left than the timeout, then the call gets only what is left', async () => {
    const { p } = policy();
    const deadline = RequestDeadline.of({ deadlineMs: 60, mutationTimeoutMs: 30_000 });
    const started = performance.now();
    expect(await reasonOf(p.run({ ...query, timeoutMs: 10_000, leftMs: () => deadline.leftMs('query') }, hanging))).toBe('deadline');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('when the deadline is already spent, then no call is made, and it does not count against the subgraph', async () => {
    const { p } = policy({ circuitFailures: 1 });
    const attempt = failing(() => new Error('must not be called'));
    expect(await reasonOf(p.run({ ...query, leftMs: () => 0 }, attempt))).toBe('spent');
    expect(attempt.calls).toBe(0);
    expect(p.open).toBe(false);
  });

  it('when the request is a mutation, then its deadline is the longer of the two', () => {
    const d = RequestDeadline.of({ deadlineMs: 15_000, mutationTimeoutMs: 30_000 }, 0);
    expect(d.leftMs('query', 1_000)).toBe(14_000);
    expect(d.leftMs('mutation', 1_000)).toBe(29_000);
    expect(RequestDeadline.of({ deadlineMs: 15_000, mutationTimeoutMs: 5_000 }, 0).leftMs('mutation', 1_000)).toBe(14_000);
  });
});
