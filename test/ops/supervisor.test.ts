import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supervisor, SupervisorOptions } from '../../scripts/supervisor';
import { alive, freePort, until } from '../support/waiting';

const FIXTURE = join(__dirname, 'scripted-service.fixture.js');

interface Scripted {
  supervisor: Supervisor;
  info: string[];
  warn: string[];
  /** Starts one scripted service (see the fixture) and returns what its readiness says of it. */
  start(name: string, steps: string): Promise<{ status: () => Promise<{ pid: number; launch: number } | undefined>; launches: () => number }>;
}

const dirs: string[] = [];
const supervisors: Supervisor[] = [];
afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.stop()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function scripted(options: Partial<SupervisorOptions> = {}): Scripted {
  const info: string[] = [];
  const warn: string[] = [];
  const supervisor = new Supervisor({
    firstDelayMs: 100,
    info: (l) => info.push(l),
    warn: (l) => warn.push(l),
    ...options,
  });
  supervisors.push(supervisor);
  const dir = mkdtempSync(join(tmpdir(), 'supervisor-'));
  dirs.push(dir);
  return {
    supervisor,
    info,
    warn,
    async start(name, steps) {
      const port = await freePort();
      const state = join(dir, name);
      const readyUrl = `http://127.0.0.1:${port}/readiness`;
      await supervisor.start({ name, script: FIXTURE, args: [String(port), state, steps], readyUrl });
      return {
        status: () => fetch(readyUrl).then((r) => r.json() as Promise<{ pid: number; launch: number }>, () => undefined),
        launches: () => Number(readFileSync(state, 'utf8')) + 1,
      };
    },
  };
}

describe('the supervisor of npm start', () => {
  it('when a ready service is killed, then it is restarted after the first delay, said in one line, and serves again', async () => {
    const s = scripted();
    const svc = await s.start('svc', 'serve');
    const { pid } = (await svc.status())!;
    process.kill(pid, 'SIGKILL');

    await until('the service to be serving again', () => s.info.length === 1);
    const again = (await svc.status())!;
    expect(again.launch).toBe(1);
    expect(again.pid).not.toBe(pid);
    expect(s.warn).toEqual([expect.stringMatching(new RegExp(`^svc \\(pid ${pid}\\) exited \\(SIGKILL\\) after \\d+\\.\\d s; restarting it in 0\\.1 s$`))]);
    expect(s.info).toEqual([`svc is serving again (pid ${again.pid})`]);
  });

  it('when it crashes again and again, then each delay doubles up to the cap, and after a healthy stretch it is short again', async () => {
    const s = scripted({ firstDelayMs: 100, maxDelayMs: 400, resetAfterMs: 2_000 });
    const svc = await s.start('svc', 'serve');
    const crash = async () => {
      const served = s.info.length;
      process.kill((await svc.status())!.pid, 'SIGKILL');
      await until('the service to be serving again', () => s.info.length === served + 1);
    };
    for (let i = 0; i < 4; i++) await crash();
    // What is under test is the passing of time itself: the service has now served longer than resetAfterMs.
    await new Promise((r) => setTimeout(r, 2_100));
    await crash();

    expect(s.warn.map((l) => l.match(/restarting it in (.*)$/)?.[1])).toEqual(['0.1 s', '0.2 s', '0.4 s', '0.4 s', '0.1 s']);
    expect(svc.launches()).toBe(6);
  });

  it('when restarts keep exiting before they are ready, then it says so once and goes on retrying at the longest delay until one serves', async () => {
    const s = scripted({ firstDelayMs: 100, maxDelayMs: 200, maxFailedStarts: 3 });
    const svc = await s.start('svc', 'serve,exit,exit,exit,exit,serve');
    process.kill((await svc.status())!.pid, 'SIGKILL');

    await until('the service serving again', () => s.info.length > 0, 20_000);
    expect(s.info).toEqual([expect.stringMatching(/^svc is serving again \(pid \d+\)$/)]);
    expect(s.warn).toEqual([
      expect.stringMatching(/^svc \(pid \d+\) exited \(SIGKILL\) after \d+\.\d s; restarting it in 0\.1 s$/),
      expect.stringMatching(/^svc \(pid \d+\) exited \(code 1\) before it was ready; restarting it in 0\.2 s$/),
      expect.stringMatching(/^svc \(pid \d+\) exited \(code 1\) before it was ready; restarting it in 0\.2 s$/),
      'svc cannot start: it exited (code 1) before it was ready 3 times in a row; retrying every 0.2 s',
      expect.stringMatching(/^svc \(pid \d+\) exited \(code 1\) before it was ready; restarting it in 0\.2 s$/),
      expect.stringMatching(/^svc \(pid \d+\) exited \(code 1\) before it was ready; restarting it in 0\.2 s$/),
    ]);
    expect((await svc.status())?.launch).toBe(5);
  });

  it('when a service exits at its first start, then start() fails naming it and nothing restarts it', async () => {
    const s = scripted();
    await expect(s.start('broken', 'exit')).rejects.toThrow(/^broken exited \(code 1\) before it was ready$/);
    await new Promise((r) => setTimeout(r, 300));
    expect(s.warn).toEqual([]);
  });

  it('when stopped, then every service exits, one that ignores SIGTERM is killed after the stop timeout, and no line complains', async () => {
    const s = scripted({ stopTimeoutMs: 500 });
    const polite = await s.start('polite', 'serve');
    const stubborn = await s.start('stubborn', 'stubborn');
    const pids = [(await polite.status())!.pid, (await stubborn.status())!.pid];

    await s.supervisor.stop();
    expect(pids.filter(alive)).toEqual([]);
    expect([polite.launches(), stubborn.launches()]).toEqual([1, 1]);
    expect(s.warn).toEqual([]);
    expect(s.info).toEqual([]);
  });
});
