import { createHash } from 'node:crypto';
import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from '../../subgraphs/kit/logger';
import { fileOrigin } from './file.origin';
import { urlOrigin } from './url.origin';
import { refusalReason, validateSupergraph } from './supergraph.validate';

export interface SupergraphSourceOptions {
  /** A fixed supergraph (tests): served as is, never reloaded. */
  sdl?: string;
  /** Watched for changes (default: the committed schema/supergraph.graphql). */
  file?: string;
  /** Polled every `pollMs` instead of the file, when set. */
  url?: string;
  pollMs: number;
  log: Logger;
  /** Each reload attempt's outcome, for the metrics. */
  onReload?(outcome: 'loaded' | 'refused'): void;
}

/** Where a supergraph's text is read from, and when it may have changed. */
export interface SupergraphOrigin {
  kind: 'file' | 'url';
  /** The text, or null when it has certainly not changed since the last read. */
  read(signal: AbortSignal): Promise<string | null>;
  /** Calls `check` whenever the text may have changed; returns how to stop. */
  watch(check: () => Promise<void>): () => void;
}

/**
 * Where the gateway's supergraph comes from, and how a new one replaces it: validated first, then swapped in
 * with the gateway's `update`, which replaces schema and query planner together between two requests. A refused
 * one is logged and counted once, and the one being served stays.
 */
export function supergraphSource(o: SupergraphSourceOptions): SupergraphSdlHook {
  const fixed = o.sdl;
  if (fixed !== undefined) return async () => ({ supergraphSdl: fixed });
  const origin: SupergraphOrigin = o.url ? urlOrigin(o.url, { pollMs: o.pollMs }) : fileOrigin(o.file!, { pollMs: o.pollMs });
  const source = origin.kind;

  return async ({ update }) => {
    const stopping = new AbortController();
    const first = await origin.read(stopping.signal).catch((e: unknown) => {
      throw new Error(`the supergraph ${source} could not be read (${errorCode(e)})`);
    });
    if (first === null) throw new Error(`the supergraph ${source} answered nothing to a first read`);
    await validateSupergraph(first).catch((e: unknown) => {
      throw new Error(`the supergraph ${source} is not a valid supergraph (${refusalReason(e)})`);
    });

    let served = digest(first);
    // The last text looked at, served or refused: a refused one is reported once, not at every poll.
    let seen = served;
    let unreadable: string | undefined;
    let stopped = false;

    const reload = async (): Promise<void> => {
      let text: string | null;
      try {
        text = await origin.read(stopping.signal);
        unreadable = undefined;
      } catch (e) {
        const code = errorCode(e);
        if (!stopped && code !== unreadable) o.log.warn({ source, error: code }, 'supergraph source unreadable; the current supergraph is kept');
        unreadable = code;
        return;
      }
      if (text === null || stopped) return;
      const id = digest(text);
      if (id === seen) return;
      seen = id;
      if (id === served) return;
      try {
        await validateSupergraph(text);
        if (stopped) return;
        update(text);
      } catch (e) {
        if (stopped) return;
        o.log.warn({ source, supergraph: id.slice(0, 12), reason: refusalReason(e) }, 'supergraph refused; the current one is kept');
        o.onReload?.('refused');
        return;
      }
      served = id;
      o.log.info({ source, supergraph: id.slice(0, 12) }, 'supergraph loaded');
      o.onReload?.('loaded');
    };

    const check = serially(reload);
    const unwatch = origin.watch(check.run);
    return {
      supergraphSdl: first,
      cleanup: async () => {
        stopped = true;
        unwatch();
        stopping.abort();
        await check.settled();
      },
    };
  };
}

/** One run at a time; calls while one runs fold into a single run after it. */
function serially(task: () => Promise<void>) {
  let running: Promise<void> | undefined;
  let again = false;
  const run = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await task();
      } while (again);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  return { run, settled: () => running ?? Promise.resolve() };
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A bounded code for why a read failed: messages can carry the address of the source. */
function errorCode(e: unknown): string {
  const err = e as { code?: unknown; name?: unknown; cause?: { code?: unknown } };
  for (const c of [err?.code, err?.cause?.code, err?.name]) if (typeof c === 'string' && /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(c)) return c;
  return 'UNKNOWN';
}
