import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What `node --cpu-prof` writes (V8's Profiler.Profile); times in microseconds of the monotonic clock. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Frame {
  functionName: string;
  /** file:line, in the TypeScript source for our own compiled code. */
  location: string;
  /** Of the sampled time the process was not idle in the window. */
  selfShare: number;
}

export function readProfile(dir: string): CpuProfile {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length !== 1) throw new Error(`expected one .cpuprofile in ${dir}, found ${files.length}`);
  return JSON.parse(readFileSync(join(dir, files[0]), 'utf8')) as CpuProfile;
}

/**
 * Self time per frame (function, script, line) within [fromUs, toUs): each sample lasts until the next one, as
 * DevTools counts it, and is charged to the frame on top of the stack. The window is read on the same monotonic
 * clock as `process.hrtime` in another process, so start-up, warm-up and shutdown stay out. Sampled time is wall
 * time: a process waiting for its core goes on being charged to the frame it was stopped in, so the shares hold and
 * the milliseconds do not (`sampledMs` exceeds the CPU time on a shared core).
 */
export function topFrames(profile: CpuProfile, fromUs: number, toUs: number, count: number, root: string): { sampledMs: number; frames: Frame[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map<string, { frame: CpuProfile['nodes'][number]['callFrame']; us: number }>();
  let at = profile.startTime;
  const times = profile.timeDeltas.map((d) => (at += d));
  let busyUs = 0;
  profile.samples.forEach((id, i) => {
    const t = times[i];
    if (t < fromUs || t >= toUs) return;
    const frame = byId.get(id)!;
    if (frame.functionName === '(idle)') return;
    const us = (times[i + 1] ?? profile.endTime) - t;
    busyUs += us;
    const key = `${frame.functionName}\u0000${frame.url}\u0000${frame.lineNumber}`;
    const entry = self.get(key) ?? { frame, us: 0 };
    entry.us += us;
    self.set(key, entry);
  });
  if (busyUs === 0) throw new Error('no profile sample falls in the measured window');
  const sources = new SourceLocations(root);
  const frames = [...self.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, count)
    .map(({ frame, us }) => ({
      functionName: frame.functionName || '(anonymous)',
      location: sources.of(frame.url, frame.lineNumber, frame.columnNumber),
      selfShare: us / busyUs,
    }));
  return { sampledMs: busyUs / 1000, frames };
}

/** Where a compiled frame comes from: our own code by its source map, the rest by its path below the project. */
class SourceLocations {
  private readonly maps = new Map<string, SourceMap | null>();
  constructor(private readonly root: string) {}

  of(url: string, line: number, column: number): string {
    if (!url) return '(native)';
    if (!url.startsWith('file://')) return `${url}:${line + 1}`;
    const file = fileURLToPath(url);
    const entry = this.map(file)?.findEntry(line, column);
    if (entry && 'originalSource' in entry) {
      const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : resolve(dirname(file), entry.originalSource);
      return `${relative(this.root, source)}:${entry.originalLine + 1}`;
    }
    return `${relative(this.root, file)}:${line + 1}`;
  }

  private map(file: string): SourceMap | null {
    if (!this.maps.has(file)) {
      const path = `${file}.map`;
      this.maps.set(file, file.includes('node_modules') || !existsSync(path) ? null : new SourceMap(JSON.parse(readFileSync(path, 'utf8'))));
    }
    return this.maps.get(file)!;
  }
}
