import 'reflect-metadata';
import { localDate, localTime } from '../subgraphs/kit/calendar/working-time';
import { eventOf } from '../subgraphs/kit/history';
import { generateDemo } from '../demo/generate';

const t = Date.now();
const { dossiers } = generateDemo();
const from = localTime('2020-04-01'), to = localTime('2020-04-30', 23, 59, 59);
const finishedAt = (h: any) => eventOf(h, 'DECIDED')?.at ?? eventOf(h, 'WITHDRAWN')?.at;
const carried = dossiers.filter((h) => h.receivedAt < from && !(finishedAt(h) && finishedAt(h)! < from));
const received = dossiers.filter((h) => h.receivedAt >= from && h.receivedAt <= to);
const decided = dossiers.filter((h) => { const d = eventOf(h, 'DECIDED'); return d && d.at >= from && d.at <= to; });
const cls = (h: any) => { const d = localDate(eventOf(h, 'DECIDED')!.at), due = localDate(h.dueAt); return d < due ? 'early' : d === due ? 'onTime' : 'late'; };
const inProc = dossiers.filter((h) => h.receivedAt <= to && !(finishedAt(h) && finishedAt(h)! <= to));
const waiting = (h: any) => h.events.some((e: any) => e.type === 'SUPPLEMENT_REQUESTED') && !h.events.some((e: any) => e.type === 'SUPPLEMENT_RECEIVED');
const count = (xs: any[], f: (x: any) => string) => xs.reduce((m: Record<string, number>, x) => ((m[f(x)] = (m[f(x)] ?? 0) + 1), m), {});
console.log({
  total: dossiers.length, ms: Date.now() - t,
  carried: carried.length, received: count(received, (h) => h.channel), resolved: count(decided, cls),
  byPost: dossiers.filter((h) => { const e = eventOf(h, 'RESULT_RETURNED'); return e && e.channel === 'POSTAL' && e.at >= from && e.at <= to; }).length,
  inProcess: inProc.length, overdue: inProc.filter((h) => h.dueAt < to && !waiting(h)).length,
  ratings: count(dossiers.filter((h) => h.rating && h.rating.at >= from && h.rating.at <= to), (h) => h.rating.level),
  busiest: Object.entries(count(received, (h) => h.departmentCode)).sort((a, b) => b[1] - a[1]).slice(0, 4),
  counterInClosure: received.filter((h) => h.channel === 'DIRECT' && localDate(h.receivedAt) <= '2020-04-22').length,
});
