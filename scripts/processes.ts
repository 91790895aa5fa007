import type { ChildProcess } from 'node:child_process';

/**
 * Whether `url` answers 200 now. Each probe has its own timeout: a frozen process holds the connection open
 * and must count as not ready rather than stall whoever is waiting.
 */
export function answers(url: string, timeoutMs = 2_000): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).then(
    async (r) => {
      await r.body?.cancel();
      return r.ok;
    },
    () => false,
  );
}

/** Resolves once `url` answers 200 (a service's /readiness); fails after `timeoutMs`. */
export async function waitForHealth(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await answers(url)) return;
    if (Date.now() > deadline) throw new Error(`${url} did not become healthy within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export const hasExited = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null;

/**
 * Asks each child to stop (SIGTERM: services drain and close cleanly) and resolves when all have exited.
 * One that is still there after `killAfterMs` is killed: stopping must end even when a child hangs.
 */
export function stopChildren(children: ChildProcess[], killAfterMs = 30_000): Promise<void> {
  return Promise.all(
    children.map((c) => new Promise<void>((done) => {
      if (hasExited(c)) return done();
      const kill = setTimeout(() => c.kill('SIGKILL'), killAfterMs);
      c.once('exit', () => {
        clearTimeout(kill);
        done();
      });
      c.kill('SIGTERM');
    })),
  ).then(() => undefined);
}

/**
 * Stops, once, what `parts` names at that moment (in that order: the services, then the database they use), on
 * Ctrl-C, SIGTERM or a call, then exits with the code given.
 */
export function stopOnSignals(parts: () => ({ stop(): Promise<void> } | undefined)[]): { stop(code: number): Promise<void>; readonly started: boolean } {
  let started = false;
  const stopper = {
    get started() {
      return started;
    },
    async stop(code: number) {
      if (started) return;
      started = true;
      for (const part of parts()) await part?.stop();
      process.exit(code);
    },
  };
  process.on('SIGINT', () => void stopper.stop(0));
  process.on('SIGTERM', () => void stopper.stop(0));
  return stopper;
}

/** A script's main: exit 0 when it resolves, one line and exit 1 when it fails (the services it started stop with it). */
export function runMain(name: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e) => {
      console.error(`${name}: ${e instanceof Error ? e.message : e}`);
      process.exit(1);
    },
  );
}
