import type { SupergraphOrigin } from './supergraph.source';

/** Longest wait for one poll's answer; the next poll starts only after it. */
const TIMEOUT_MS = 10_000;

/**
 * A supergraph served over HTTP (a schema registry, an object store). One request at a time: the next is sent
 * `pollMs` after the previous one ended, so a slow source is never asked twice at once. The ETag is sent back
 * with If-None-Match, so an unchanged supergraph costs a 304.
 */
export function urlOrigin(url: string, o: { pollMs: number }): SupergraphOrigin {
  let etag: string | undefined;
  return {
    kind: 'url',
    async read(signal) {
      const res = await fetch(url, {
        headers: etag ? { 'if-none-match': etag } : {},
        signal: AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]),
      });
      if (res.status === 304) {
        await res.body?.cancel();
        return null;
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw Object.assign(new Error('the supergraph source refused the request'), { code: `HTTP_${res.status}` });
      }
      const text = await res.text();
      etag = res.headers.get('etag') ?? undefined;
      return text;
    },
    watch(check) {
      let timer: NodeJS.Timeout | undefined;
      let stopped = false;
      const next = () => {
        timer = setTimeout(async () => {
          await check();
          if (!stopped) next();
        }, o.pollMs);
        timer.unref();
      };
      next();
      return () => {
        stopped = true;
        clearTimeout(timer);
      };
    },
  };
}
