import { Pool } from 'undici';

export interface LoadOptions {
  url: string;
  /** The JSON body of every request, serialised once; several are sent in turn. */
  body: string | string[];
  /**
   * Connection i sends tokens[i % tokens.length]: one caller for all, or a caller of its own each. With more tokens
   * than connections, each request takes the next token in turn: callers that come and go, as in a soak.
   */
  tokens: string[];
  connections: number;
  warmupMs: number;
  measureMs: number;
  /** Called at the instants the measured window opens and closes, to read the processes' CPU counters there. */
  onWindow(edge: 'open' | 'close'): void;
}

export interface LoadResult {
  /** Answered 200 without GraphQL errors, within the measured window. */
  answered: number;
  /** Any other outcome within the window: a status but 200, an `errors` member, a failed connection. */
  errors: number;
  firstError?: string;
  /** Of the answered requests, sorted. */
  latenciesMs: Float64Array;
}

/**
 * A closed-loop load: `connections` keep-alive connections, each with one request in flight at all times (a new one
 * sent as soon as the last is answered), for the warm-up and then the measured window. Cheap on purpose, since it
 * shares a core with the subgraphs: undici's request API, no parsing of the answers. An answer counts as an error
 * when it has an `errors` member, found as text: no field of the bench queries is called so, and a string holding
 * `"errors":` would be escaped (`\"errors\":`).
 */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const { origin, pathname } = new URL(o.url);
  const pool = new Pool(origin, { connections: o.connections, pipelining: 1 });
  let phase: 'warmup' | 'measured' | 'done' = 'warmup';
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const opened = setTimeout(() => {
    o.onWindow('open');
    phase = 'measured';
  }, o.warmupMs);
  const closed = setTimeout(() => {
    phase = 'done';
    o.onWindow('close');
  }, o.warmupMs + o.measureMs);

  const bodies = typeof o.body === 'string' ? [o.body] : o.body;
  const loop = async (_: unknown, i: number) => {
    for (let sent = 0; phase !== 'done'; sent++) {
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${o.tokens[(i + sent * o.connections) % o.tokens.length]}` };
      const body = bodies[sent % bodies.length];
      const started = performance.now();
      let failure: string | undefined;
      try {
        const res = await pool.request({ method: 'POST', path: pathname, headers, body });
        const text = await res.body.text();
        if (res.statusCode !== 200 || text.includes('"errors":')) failure = `${res.statusCode} ${text.slice(0, 500)}`;
      } catch (e) {
        failure = e instanceof Error ? e.message : String(e);
      }
      if (phase !== 'measured') continue;
      if (failure === undefined) latencies.push(performance.now() - started);
      else {
        errors++;
        firstError ??= failure;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: o.connections }, loop));
  } finally {
    clearTimeout(opened);
    clearTimeout(closed);
    await pool.close();
  }
  return { answered: latencies.length, errors, firstError, latenciesMs: Float64Array.from(latencies).sort() };
}
