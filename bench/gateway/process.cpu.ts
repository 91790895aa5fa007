import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** The unit of /proc/<pid>/stat's times. */
export const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

interface Stat {
  comm: string;
  /** utime + stime. */
  own: number;
  /** cutime + cstime: the children it has waited for. */
  children: number;
}

function stat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may hold spaces: the fields are counted from the last ')'.
  const close = text.lastIndexOf(')');
  const f = text.slice(close + 2).split(' ');
  return { comm: text.slice(text.indexOf('(') + 1, close), own: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]) };
}

/** CPU seconds a process has used so far (user and system); throws when it is gone. */
export function cpuSeconds(pid: number): number {
  const s = stat(pid);
  if (!s) throw new Error(`process ${pid} is gone`);
  return s.own / CLOCK_TICKS;
}

export function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) * 1024;
}

export interface PostgresCpu {
  /** Every `postgres` process: the server, its helpers and all backends. */
  total: number;
  /** Of which backends serving databases not named `ours…`: someone else's load on the same server. */
  others: number;
}

// "postgres: 15/main: <user> <database> <client address> <state>"; helpers (walwriter…) name no client.
const BACKEND_TITLE = /^postgres: (?:[^:]+: )?\S+ (\S+) (?:\d|\[local\])/;

/**
 * CPU seconds of the PostgreSQL server so far. The server's own counter of the children it waited for is included:
 * a backend that exits between two readings still has all its time counted once, in its parent.
 */
export function postgresCpuSeconds(ours: string): PostgresCpu {
  let total = 0;
  let others = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = stat(Number(entry));
    if (s?.comm !== 'postgres') continue;
    total += s.own + s.children;
    let title = '';
    try {
      title = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    const database = BACKEND_TITLE.exec(title)?.[1];
    if (database && !database.startsWith(ours)) others += s.own;
  }
  return { total: total / CLOCK_TICKS, others: others / CLOCK_TICKS };
}

/** CPU seconds the machine's cores have been busy since boot: /proc/stat's user, nice, system, irq and softirq. */
export function machineBusySeconds(): number {
  const [user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq) / CLOCK_TICKS;
}
