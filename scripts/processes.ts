import type { ChildProcess } from 'node:child_process';

/** Resolves once `url` answers 200 (a service's /health); fails after `timeoutMs`. */
export async function waitForHealth(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    if (Date.now() > deadline) throw new Error(`${url} did not become healthy within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Asks each child to stop (SIGTERM: services close cleanly) and resolves when all have exited. */
export function stopChildren(children: ChildProcess[]): Promise<void> {
  return Promise.all(
    children.map((c) => new Promise<void>((done) => {
      if (c.exitCode !== null || c.signalCode !== null) return done();
      c.once('exit', () => done());
      c.kill('SIGTERM');
    })),
  ).then(() => undefined);
}
