import { calendar, localDate, localTime } from '../subgraphs/kit/calendar/working-time';
import { formatDossierCode } from '../subgraphs/kit/dossier-code';
import type { DossierHistory, HistoryEvent } from '../subgraphs/kit/history';
import { formatTrackingNumber } from '../subgraphs/postal/tracking-number';
import { DEPARTMENTS, DepartmentSeed, PROCEDURES, PROVINCE, ProcedureSeed } from './catalogue';
import { person, personName } from './people';
import { Random } from './random';

/**
 * The demo data: March–April 2020 at the centre, built so that the April 2020 report's figures hold
 * exactly (domain.md), with the two published errata corrected: 938 in process, not 942, and 99.77%
 * early or on time, not 99.73%. Deterministic: the same seed gives the same data.
 */
export const APRIL_2020 = {
  carriedOver: 952,
  received: { online: 645, direct: 1062, postal: 45 },
  resolved: { early: 966, onTime: 796, late: 4 },
  withdrawn: 0,
  returnedByPost: 129,
  inProcess: 938,
  overdue: 7,
  /** In process at the end, paused for supplements with the deadline passed: within deadline by rule. */
  waitingPastDue: 9,
  ratings: { verySatisfied: 288, satisfied: 10, dissatisfied: 0 },
  busiest: { SGTVT: 515, CAT: 305, SCT: 246 },
  /** Counters closed from 1 to 22 April 2020 (Covid-19): no counter intake or counter returns. */
  counterClosed: { from: '2020-04-01', to: '2020-04-22' },
} as const;

const MARCH_FINISHED = 1300;
const MARCH_WITHDRAWN = 12;
const MARCH_RATINGS = 260;
const DATA_END = localTime('2020-04-30', 23, 59, 59);
const APRIL_START = localTime('2020-04-01', 7);
const LAST_APRIL_CLOSE = localTime('2020-04-29', 17);

export interface DemoData {
  departments: DepartmentSeed[];
  procedures: ProcedureSeed[];
  dossiers: DossierHistory[];
}

type Fate = 'early' | 'onTime' | 'late' | 'overdue' | 'waiting' | 'inProcess';

interface Draft {
  dept: DepartmentSeed;
  proc: ProcedureSeed;
  channel: DossierHistory['channel'];
  receivedAt: Date;
  dueAt: Date;
  handedOverAt: Date;
  startedAt: Date;
  group: 'march' | 'carried' | 'april';
  fate?: Fate;
  decidedAt?: Date;
  withdrawnAt?: Date;
  supplementAt?: Date;
  returned?: { at: Date; channel: 'DIRECT' | 'POSTAL' };
  rating?: DossierHistory['rating'];
}

function workingDaysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let d = new Date(`${from}T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) {
    const day = d.toISOString().slice(0, 10);
    if (calendar.isWorkingDay(day)) days.push(day);
  }
  return days;
}

/** A random instant within the working hours of `day`, minute precision. */
function instantOn(r: Random, day: string, notBefore?: Date, notAfter?: Date): Date {
  for (let attempt = 0; attempt < 50; attempt++) {
    const minute = r.int(0, 479);
    const at = minute < 270 ? localTime(day, 7, minute) : localTime(day, 13, 30 + (minute - 270));
    if ((!notBefore || at >= notBefore) && (!notAfter || at <= notAfter)) return at;
  }
  return notBefore && (!notAfter || notBefore <= notAfter) ? notBefore : localTime(day, 16, 59);
}

/** A random instant between two instants, uniform in working time. */
function between(r: Random, from: Date, to: Date): Date {
  const hours = calendar.workingHoursBetween(from, to);
  if (hours <= 0) return from;
  return calendar.addWorkingHours(from, Math.round(hours * r.next() * 60) / 60);
}

export function generateDemo(seed = 20200430): DemoData {
  const r = new Random(seed);
  const procsOf = new Map(DEPARTMENTS.map((d) => [d.code, PROCEDURES.filter((p) => p.departmentCode === d.code)]));
  const deptWeights = DEPARTMENTS.map((d) => [d, d.april] as const);
  const pickProc = (d: DepartmentSeed) => r.weighted(procsOf.get(d.code)!.map((p) => [p, p.weight] as const));
  const marchDays = workingDaysBetween('2020-03-01', '2020-03-31');
  const aprilDays = workingDaysBetween('2020-04-01', '2020-04-30');
  const reopenDays = aprilDays.filter((d) => d > APRIL_2020.counterClosed.to);

  const draft = (group: Draft['group'], dept: DepartmentSeed, channel: Draft['channel'], receivedAt: Date): Draft => {
    const proc = pickProc(dept);
    const handedOverAt = new Date(receivedAt.getTime() + r.int(5, 60) * 60_000);
    return {
      dept,
      proc,
      channel,
      receivedAt,
      dueAt: calendar.dueAt(receivedAt, proc.workingDays),
      handedOverAt,
      startedAt: calendar.addWorkingHours(handedOverAt, r.int(1, 12) / 4),
      group,
    };
  };
  const marchChannel = () => r.weighted([['DIRECT', 62], ['ONLINE', 35], ['POSTAL', 3]] as const);

  // March: dossiers received and finished within the month.
  const drafts: Draft[] = [];
  for (let i = 0; i < MARCH_FINISHED; i++) {
    const day = r.pick(marchDays.filter((d) => d <= '2020-03-25'));
    const d = draft('march', r.weighted(deptWeights), marchChannel(), instantOn(r, day));
    const limit = new Date(Math.min(d.dueAt.getTime(), localTime('2020-03-31', 16).getTime()));
    const at = between(r, new Date(d.startedAt.getTime() + 30 * 60_000), limit);
    if (i < MARCH_WITHDRAWN) d.withdrawnAt = at;
    else d.decidedAt = at;
    d.fate = i < MARCH_WITHDRAWN ? undefined : 'early';
    drafts.push(d);
  }

  // Carried into April: received in March, due in April or later, not finished by 31 March.
  const lateMarch = marchDays.map((day, i) => [day, (i + 1) ** 2] as const);
  while (drafts.filter((d) => d.group === 'carried').length < APRIL_2020.carriedOver) {
    const d = draft('carried', r.weighted(deptWeights), marchChannel(), instantOn(r, r.weighted(lateMarch)));
    if (localDate(d.dueAt) >= '2020-04-01') drafts.push(d);
  }

  // New in April: exact counts per department and per channel; counters only from 23 April.
  const deptSlots = r.shuffle(DEPARTMENTS.flatMap((d) => Array<DepartmentSeed>(d.april).fill(d)));
  const channels = r.shuffle([
    ...Array<'ONLINE'>(APRIL_2020.received.online).fill('ONLINE'),
    ...Array<'DIRECT'>(APRIL_2020.received.direct).fill('DIRECT'),
    ...Array<'POSTAL'>(APRIL_2020.received.postal).fill('POSTAL'),
  ]);
  const reopenWeights = reopenDays.map((day, i) => [day, 5 - i * 0.5] as const);
  deptSlots.forEach((dept, i) => {
    const channel = channels[i];
    const day = channel === 'DIRECT' ? r.weighted(reopenWeights) : r.pick(aprilDays);
    drafts.push(draft('april', dept, channel, instantOn(r, day)));
  });

  assignAprilFates(r, drafts.filter((d) => d.group !== 'march'));
  for (const d of drafts) planReturn(r, d, reopenDays);
  planRatings(r, drafts);

  return { departments: DEPARTMENTS, procedures: PROCEDURES, dossiers: toHistories(r, drafts) };
}

/** Chooses which dossiers end April decided early, on time, late, or still in process, to the report's counts. */
function assignAprilFates(r: Random, pool: Draft[]): void {
  const to = DATA_END;
  const earliest = (d: Draft) => calendar.nextWorkingInstant(new Date(Math.max(d.startedAt.getTime() + 30 * 60_000, APRIL_START.getTime())));
  const dueDay = (d: Draft) => localDate(d.dueAt);
  const canEarly = (d: Draft) => localDate(earliest(d)) < dueDay(d) && earliest(d) <= LAST_APRIL_CLOSE;
  const canOnTime = (d: Draft) => dueDay(d) <= '2020-04-29' && earliest(d) <= localTime(dueDay(d), 17);
  const canLate = (d: Draft) => dueDay(d) >= '2020-04-06' && dueDay(d) <= '2020-04-24' && earliest(d) < localTime(dueDay(d), 17);
  const free = () => pool.filter((d) => !d.fate);
  const take = (n: number, fate: Fate, candidates: Draft[]) => {
    if (candidates.length < n) throw new Error(`demo data: only ${candidates.length} dossiers can be ${fate}, need ${n}`);
    candidates.slice(0, n).forEach((d) => (d.fate = fate));
  };

  const inProcess = APRIL_2020.inProcess - APRIL_2020.overdue - APRIL_2020.waitingPastDue;
  take(inProcess, 'inProcess', free().filter((d) => d.dueAt > to).sort((a, b) => b.dueAt.getTime() - a.dueAt.getTime()));
  const pastDueLateApril = () => r.shuffle(free().filter((d) => d.dueAt < to && dueDay(d) >= '2020-04-20'));
  take(APRIL_2020.waitingPastDue, 'waiting', pastDueLateApril());
  take(APRIL_2020.overdue, 'overdue', pastDueLateApril());
  take(APRIL_2020.resolved.late, 'late', r.shuffle(free().filter(canLate)));
  const onTimeOnly = free().filter((d) => canOnTime(d) && !canEarly(d));
  take(APRIL_2020.resolved.onTime, 'onTime', [...onTimeOnly, ...r.shuffle(free().filter((d) => canOnTime(d) && canEarly(d)))]);
  const rest = free();
  if (rest.length !== APRIL_2020.resolved.early || !rest.every(canEarly)) {
    throw new Error(`demo data: ${rest.length} left for early (${rest.filter(canEarly).length} can be)`);
  }
  rest.forEach((d) => (d.fate = 'early'));

  for (const d of pool) {
    const from = earliest(d);
    const due = dueDay(d);
    if (d.fate === 'early') {
      const days = workingDaysBetween(localDate(from), '2020-04-29').filter((day) => day < due);
      d.decidedAt = instantOn(r, r.pick(days.slice(0, Math.max(1, Math.ceil(days.length * 0.8)))), from);
    } else if (d.fate === 'onTime') {
      const notBefore = new Date(Math.max(from.getTime(), localTime(due, 7).getTime()));
      d.decidedAt = instantOn(r, due, notBefore, d.dueAt > notBefore ? d.dueAt : undefined);
    } else if (d.fate === 'late') {
      const days = workingDaysBetween(due, '2020-04-29').filter((day) => day > due);
      d.decidedAt = instantOn(r, r.pick(days.slice(0, 3)));
    } else if (d.fate === 'waiting') {
      d.supplementAt = between(r, d.startedAt, new Date(Math.min(d.dueAt.getTime(), LAST_APRIL_CLOSE.getTime())));
    }
  }
}

/** Results go back at the counter (closed 1–22 April) or by post; the post carries exactly 129 in April. */
function planReturn(r: Random, d: Draft, reopenDays: string[]): void {
  if (!d.decidedAt) return;
  const after = (hours: number) => calendar.addWorkingHours(d.decidedAt!, hours);
  if (d.group === 'march') {
    const at = after(r.int(1, 16));
    if (r.chance(0.06) && at < localTime('2020-03-31', 17)) d.returned = { at, channel: 'POSTAL' };
    else if (at < APRIL_START) d.returned = { at, channel: 'DIRECT' };
    else d.returned = { at: instantOn(r, r.pick(reopenDays)), channel: 'DIRECT' };
    return;
  }
  const counterOpen = localTime(reopenDays[0], 7);
  const soon = after(r.int(1, 16));
  const at = soon < counterOpen ? instantOn(r, r.pick(reopenDays)) : soon;
  if (at <= LAST_APRIL_CLOSE && at > d.decidedAt && r.chance(0.85)) d.returned = { at, channel: 'DIRECT' };
}

function planRatings(r: Random, drafts: Draft[]): void {
  // Post returns in April: exactly 129, chosen among results decided early enough to be posted in April.
  const postable = r.shuffle(
    drafts.filter((d) => d.group !== 'march' && d.decidedAt && after(d.decidedAt, 2) <= localTime('2020-04-29', 16)),
  );
  const preferPost = [...postable.filter((d) => d.channel !== 'DIRECT'), ...postable.filter((d) => d.channel === 'DIRECT')];
  for (const d of preferPost.slice(0, APRIL_2020.returnedByPost)) {
    const limit = localTime('2020-04-29', 16, 30);
    d.returned = { at: between(r, after(d.decidedAt!, 1), new Date(Math.min(after(d.decidedAt!, 12).getTime(), limit.getTime()))), channel: 'POSTAL' };
  }

  const counterVisit = (d: Draft, from: Date, to: Date): Date | undefined => {
    if (d.channel === 'DIRECT' && d.receivedAt >= from && d.receivedAt <= to) return d.receivedAt;
    if (d.returned?.channel === 'DIRECT' && d.returned.at >= from && d.returned.at <= to) return d.returned.at;
    return undefined;
  };
  const rate = (from: Date, to: Date, levels: DossierHistory['rating'] extends infer R ? (R extends { level: infer L } ? L : never)[] : never) => {
    const visited = r.shuffle(drafts.filter((d) => !d.rating && counterVisit(d, from, to)));
    if (visited.length < levels.length) throw new Error('demo data: not enough counter visits to rate');
    levels.forEach((level, i) => {
      const d = visited[i];
      d.rating = {
        level,
        at: new Date(counterVisit(d, from, to)!.getTime() + r.int(2, 9) * 60_000),
        officer: r.pick(COUNTER_STAFF),
        ...(level === 'DISSATISFIED' ? { reason: r.pick(DISSATISFIED_REASONS) } : {}),
      };
    });
  };
  const aprilLevels = r.shuffle([
    ...Array<'VERY_SATISFIED'>(APRIL_2020.ratings.verySatisfied).fill('VERY_SATISFIED'),
    ...Array<'SATISFIED'>(APRIL_2020.ratings.satisfied).fill('SATISFIED'),
  ]);
  rate(APRIL_START, localTime('2020-04-30', 16, 30), aprilLevels);
  const marchLevels = Array.from({ length: MARCH_RATINGS }, () =>
    r.weighted([['VERY_SATISFIED', 93], ['SATISFIED', 6], ['DISSATISFIED', 1]] as const),
  );
  rate(localTime('2020-03-01'), localTime('2020-03-31', 16, 30), marchLevels);
}

const after = (at: Date, hours: number) => calendar.addWorkingHours(at, hours);

const COUNTER_STAFF = ['Nguyễn Thị Thu Hà', 'Trần Minh Khoa', 'Lê Thị Ngọc Ánh', 'Phạm Văn Tú', 'Võ Thị Mỹ Duyên', 'Huỳnh Quốc Bảo', 'Đặng Thị Hồng Nhung', 'Bùi Thanh Tùng'];
const DISSATISFIED_REASONS = ['Phải chờ lâu tại quầy tiếp nhận', 'Hướng dẫn hồ sơ chưa rõ ràng, phải bổ sung nhiều lần'];

function toHistories(r: Random, drafts: Draft[]): DossierHistory[] {
  drafts.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
  const counters = new Map<string, number>();
  const officers = new Map(DEPARTMENTS.map((d) => [d.code, Array.from({ length: 4 }, () => personName(r))]));
  let postalSerial = 10_000_000;
  return drafts.map((d) => {
    const day = localDate(d.receivedAt);
    const key = `${d.dept.unitCode}|${day}`;
    const seq = (counters.get(key) ?? 0) + 1;
    counters.set(key, seq);
    const applicant = person(r);
    const events: HistoryEvent[] = [];
    if (d.startedAt <= DATA_END && (!d.decidedAt || d.startedAt < d.decidedAt) && (!d.withdrawnAt || d.startedAt < d.withdrawnAt)) {
      events.push({ type: 'PROCESSING_STARTED', at: d.startedAt });
    }
    if (d.supplementAt) events.push({ type: 'SUPPLEMENT_REQUESTED', at: d.supplementAt, note: 'Bổ sung bản sao giấy tờ tùy thân có chứng thực' });
    if (d.withdrawnAt) events.push({ type: 'WITHDRAWN', at: d.withdrawnAt });
    if (d.decidedAt) {
      const outcome = r.chance(0.97) ? 'APPROVED' : 'REJECTED';
      events.push({ type: 'DECIDED', at: d.decidedAt, outcome, detail: outcome === 'APPROVED' ? decisionDetail(r, d) : undefined });
    }
    if (d.returned) {
      const posted = d.returned.channel === 'POSTAL';
      const deliveredAt = posted ? new Date(d.returned.at.getTime() + r.int(20, 60) * 3_600_000) : undefined;
      events.push({
        type: 'RESULT_RETURNED',
        at: d.returned.at,
        channel: d.returned.channel,
        ...(posted ? { trackingNumber: formatTrackingNumber('RE', postalSerial++), deliveredAt: deliveredAt! <= DATA_END ? deliveredAt : null } : {}),
      });
    }
    events.sort((a, b) => a.at.getTime() - b.at.getTime());
    return {
      code: formatDossierCode(d.dept.unitCode, day, seq),
      procedureCode: d.proc.code,
      departmentCode: d.dept.code,
      processingSystem: d.dept.system,
      channel: d.channel,
      receivedAt: d.receivedAt,
      dueAt: d.dueAt,
      handedOverAt: d.handedOverAt,
      applicant,
      officer: r.pick(officers.get(d.dept.code)!),
      inbound:
        d.channel === 'POSTAL'
          ? {
              trackingNumber: formatTrackingNumber('RE', postalSerial++),
              postedAt: new Date(d.receivedAt.getTime() - r.int(26, 70) * 3_600_000),
              deliveredAt: new Date(d.receivedAt.getTime() - r.int(10, 40) * 60_000),
            }
          : undefined,
      events,
      rating: d.rating,
    };
  });
}

function decisionDetail(r: Random, d: Draft): Record<string, string | Date | null> {
  const at = d.decidedAt!;
  const years = (n: number) => new Date(at.getTime() + n * 365.25 * 86_400_000);
  const plate = (series: string) => `${PROVINCE.plate}${series}-${r.digits(3)}.${r.digits(2)}`;
  switch (d.proc.detailKind) {
    case 'DRIVING_LICENCE':
      return { kind: 'DRIVING_LICENCE', number: `${PROVINCE.idPrefix}${r.digits(9)}`, vehiclePlate: null, validUntil: r.chance(0.3) ? null : years(10) };
    case 'TRANSPORT_BUSINESS_LICENCE':
      return { kind: 'TRANSPORT_BUSINESS_LICENCE', number: `${PROVINCE.code}-${r.digits(5)}`, vehiclePlate: null, validUntil: years(7) };
    case 'VEHICLE_BADGE':
      return { kind: 'VEHICLE_BADGE', number: `PH-${r.digits(6)}`, vehiclePlate: plate(r.pick(['H', 'B', 'C', 'LD'])), validUntil: years(2) };
    case 'SEAL_REGISTRATION':
      return { kind: 'SEAL_REGISTRATION', number: `${r.digits(6)}/ĐKMD`, vehiclePlate: null, issuedAt: at };
    case 'SECURITY_ORDER':
      return { kind: 'SECURITY_ORDER', number: `${r.digits(4)}/GCN-PC06`, vehiclePlate: null, issuedAt: at };
    case 'VEHICLE_REGISTRATION':
      return { kind: 'VEHICLE_REGISTRATION', number: r.digits(6), vehiclePlate: plate(r.pick(['A', 'C', 'D'])), issuedAt: at };
    case 'PETROL_RETAIL_CERTIFICATE':
    case 'LPG_BOTTLING_CERTIFICATE':
      return { kind: d.proc.detailKind, number: `${r.digits(3)}/GCN-SCT`, validUntil: years(5) };
    case 'TOBACCO_WHOLESALE_LICENCE':
      return { kind: d.proc.detailKind, number: `${r.digits(2)}/GP-SCT`, validUntil: years(5) };
    default:
      return { resultDocument: `${r.digits(4)}/QĐ-${d.dept.code}` };
  }
}
