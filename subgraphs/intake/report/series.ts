import { registerEnumType } from 'type-graphql';

export enum ReportInterval {
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
}
registerEnumType(ReportInterval, { name: 'ReportInterval' });

const iso = (d: Date) => d.toISOString().slice(0, 10);
const day = (s: string) => new Date(`${s}T00:00:00Z`);

/** Consecutive [from, to] dates covering the period: days, Monday-to-Sunday weeks, or calendar months, clipped to it. */
export function splitPeriod(from: string, to: string, every: ReportInterval): [string, string][] {
  const out: [string, string][] = [];
  const end = day(to);
  for (let start = day(from); start <= end; ) {
    const stop = new Date(start);
    if (every === ReportInterval.WEEK) stop.setUTCDate(stop.getUTCDate() + ((7 - stop.getUTCDay()) % 7));
    if (every === ReportInterval.MONTH) stop.setUTCDate(new Date(Date.UTC(stop.getUTCFullYear(), stop.getUTCMonth() + 1, 0)).getUTCDate());
    const clipped = stop > end ? end : stop;
    out.push([iso(start), iso(clipped)]);
    start = new Date(clipped);
    start.setUTCDate(start.getUTCDate() + 1);
  }
  return out;
}
