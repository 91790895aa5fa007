import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { WorkingCalendar } from '../subgraphs/kit/calendar/working-time';
import { isDossierCode } from '../subgraphs/kit/dossier-code';
import type { DossierHistory, HistoryEvent } from '../subgraphs/kit/history';

/**
 * One line of the previous one-stop system's export, as report builders bring it:
 * {"code"?, "procedureCode", "channel", "receivedAt", "dueAt"?, "applicant": {...}, "events": [...], "rating"?}
 */
const instant = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)), 'an RFC 3339 date-time with offset');
const event = z.discriminatedUnion('type', [
  z.object({ type: z.literal('SUPPLEMENT_REQUESTED'), at: instant }),
  z.object({ type: z.literal('SUPPLEMENT_RECEIVED'), at: instant }),
  z.object({ type: z.literal('WITHDRAWN'), at: instant }),
  z.object({ type: z.literal('DECIDED'), at: instant, outcome: z.enum(['APPROVED', 'REJECTED']) }),
  z.object({ type: z.literal('RESULT_RETURNED'), at: instant, channel: z.enum(['DIRECT', 'POSTAL']) }),
]);
export const LINE = z.object({
  code: z.string().refine(isDossierCode, 'not a dossier code <unit>-<yyMMdd>-<NNNN>').optional(),
  procedureCode: z.string().regex(/^\d\.\d{6}$/, 'a national procedure code such as 1.002820'),
  channel: z.enum(['ONLINE', 'DIRECT', 'POSTAL']),
  receivedAt: instant,
  dueAt: instant.optional(),
  applicant: z.object({
    fullName: z.string().trim().min(2).max(120),
    idNumber: z.string().regex(/^\d{12}$/, '12 digits'),
    phone: z.string().regex(/^0\d{9,10}$/).optional(),
    address: z.string().max(300).optional(),
  }),
  events: z.array(event).max(50).default([]),
  rating: z
    .object({ level: z.enum(['VERY_SATISFIED', 'SATISFIED', 'DISSATISFIED']), at: instant, reason: z.string().max(500).optional() })
    .refine((r) => r.level !== 'DISSATISFIED' || !!r.reason?.trim(), 'a DISSATISFIED rating needs a reason')
    .optional(),
}).strict();

export type Line = z.infer<typeof LINE>;

export interface Catalogue {
  procedures: Map<string, { workingDays: number; departmentCode: string }>;
  departments: Map<string, { unitCode: string; system: string | null }>;
}

export type Parsed = { ok: true; line: Line; hash: string } | { ok: false; reason: string };

/** Checks one line alone: its shape, its procedure, and that its events make a possible history. */
export function parseLine(text: string, catalogue: Catalogue, now = new Date()): Parsed {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const result = LINE.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    return { ok: false, reason: `${issue.path.join('.') || 'line'}: ${issue.message}` };
  }
  const line = result.data;
  if (!catalogue.procedures.has(line.procedureCode)) return { ok: false, reason: `procedureCode: no procedure ${line.procedureCode} in the catalogue` };
  const received = Date.parse(line.receivedAt);
  if (received > now.getTime()) return { ok: false, reason: 'receivedAt: in the future' };
  if (received < Date.parse('2019-01-01T00:00:00+07:00')) return { ok: false, reason: 'receivedAt: before the calendar the centre keeps (2019)' };
  const times = line.events.map((e) => Date.parse(e.at));
  if (times.some((t, i) => t < received || t > now.getTime() || (i > 0 && t < times[i - 1]))) {
    return { ok: false, reason: 'events: each must be after receipt, not in the future, and in time order' };
  }
  const types = line.events.map((e) => e.type);
  const count = (t: string) => types.filter((x) => x === t).length;
  if (count('DECIDED') > 1 || count('WITHDRAWN') > 1 || count('RESULT_RETURNED') > 1) return { ok: false, reason: 'events: a dossier is decided, withdrawn or returned once' };
  if (count('DECIDED') && count('WITHDRAWN')) return { ok: false, reason: 'events: a dossier is either decided or withdrawn' };
  if (count('RESULT_RETURNED') && types.indexOf('RESULT_RETURNED') < types.indexOf('DECIDED')) return { ok: false, reason: 'events: a result is returned after the decision' };
  if (count('RESULT_RETURNED') && !count('DECIDED')) return { ok: false, reason: 'events: a result is returned after the decision' };
  let waiting = false;
  for (const t of types) {
    if (t === 'SUPPLEMENT_REQUESTED') {
      if (waiting) return { ok: false, reason: 'events: supplements requested twice without being received' };
      waiting = true;
    } else if (t === 'SUPPLEMENT_RECEIVED') {
      if (!waiting) return { ok: false, reason: 'events: supplements received without a request' };
      waiting = false;
    } else if (t === 'DECIDED' && waiting) return { ok: false, reason: 'events: decided while awaiting supplements' };
  }
  if (line.rating && Date.parse(line.rating.at) < received) return { ok: false, reason: 'rating.at: before receipt' };
  const hash = createHash('sha256').update(JSON.stringify(line)).digest('hex');
  return { ok: true, line, hash };
}

/**
 * The history of a valid line; `code` is the line's own or the one allocated for it, and `days` the calendar a line
 * without a due date is due by.
 */
export function toHistory(line: Line, code: string, catalogue: Catalogue, days: WorkingCalendar): DossierHistory {
  const procedure = catalogue.procedures.get(line.procedureCode)!;
  const department = catalogue.departments.get(procedure.departmentCode)!;
  const receivedAt = new Date(line.receivedAt);
  let dueAt = line.dueAt ? new Date(line.dueAt) : days.dueAt(receivedAt, procedure.workingDays);
  const events: HistoryEvent[] = [];
  let waitingSince: Date | null = null;
  for (const e of line.events) {
    const at = new Date(e.at);
    if (e.type === 'SUPPLEMENT_REQUESTED') waitingSince = at;
    if (e.type === 'SUPPLEMENT_RECEIVED' && waitingSince && !line.dueAt) {
      dueAt = days.addWorkingHours(dueAt, days.workingHoursBetween(waitingSince, at));
      waitingSince = null;
    }
    events.push(e.type === 'DECIDED' ? { type: e.type, at, outcome: e.outcome } : e.type === 'RESULT_RETURNED' ? { type: e.type, at, channel: e.channel } : { type: e.type, at });
  }
  return {
    code,
    procedureCode: line.procedureCode,
    departmentCode: procedure.departmentCode,
    processingSystem: department.system,
    channel: line.channel,
    receivedAt,
    dueAt,
    handedOverAt: receivedAt,
    applicant: { fullName: line.applicant.fullName, idNumber: line.applicant.idNumber, phone: line.applicant.phone ?? null, address: line.applicant.address ?? null },
    officer: 'import',
    events,
    rating: line.rating ? { level: line.rating.level, at: new Date(line.rating.at), reason: line.rating.reason, officer: 'import' } : undefined,
  };
}
