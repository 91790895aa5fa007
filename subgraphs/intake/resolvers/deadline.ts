import DataLoader from 'dataloader';
import { Field, Float, ObjectType } from 'type-graphql';
import type { DataSource } from 'typeorm';
import { calendar } from '../../kit/calendar/working-time';
import { ProcessingStatus } from '../../kit/department/processing-status';
import type { Dossier } from '../entities/dossier.entity';

@ObjectType({ description: "A dossier against its deadline, in working hours (8 a day, 07:00–11:30 and 13:30–17:00)." })
export class Deadline {
  @Field(() => Date, { nullable: true, description: 'The due date, moved by every finished wait for supplements.' })
  dueAt: Date | null;

  @Field(() => Date, { description: 'The instant the figures are for: now, the decision or withdrawal, or the start of a pause.' })
  asOf: Date;

  @Field(() => Float, { nullable: true, description: 'Working hours left before the due date; null once past it.' })
  workingHoursLeft: number | null;

  @Field(() => Float, { nullable: true, description: 'Working hours past the due date; null while within it.' })
  overdueByWorkingHours: number | null;

  @Field(() => Float, { description: 'Working hours spent waiting for supplements so far, including a wait in progress.' })
  pausedWorkingHours: number;

  @Field({ description: 'Whether the clock is stopped now, waiting for supplements.' })
  paused: boolean;

  @Field({ description: 'Whether the dossier is decided, returned or withdrawn: the figures are final.' })
  finished: boolean;
}

const round = (h: number) => Math.round(h * 100) / 100;

export function deadlineOf(d: Dossier, now: Date): Deadline {
  const finishedAt = d.decidedAt ?? d.withdrawnAt;
  const finished = !!finishedAt && finishedAt <= now;
  const paused = !finished && d.status === ProcessingStatus.WAITING && !!d.pausedSince;
  const asOf = finished ? finishedAt! : paused ? d.pausedSince! : now;
  const running = paused ? calendar.workingHoursBetween(d.pausedSince!, now) : 0;
  const left = d.dueAt && asOf < d.dueAt ? calendar.workingHoursBetween(asOf, d.dueAt) : null;
  const over = d.dueAt && asOf > d.dueAt ? calendar.workingHoursBetween(d.dueAt, asOf) : null;
  return Object.assign(new Deadline(), {
    dueAt: d.dueAt,
    asOf,
    workingHoursLeft: left !== null ? round(left) : null,
    overdueByWorkingHours: over !== null && over > 0 ? round(over) : null,
    pausedWorkingHours: round(Number(d.pausedHours ?? 0) + running),
    paused,
    finished,
  });
}

interface DueDateRow {
  dueAt: Date | null;
  at: Date;
}

/** Every due date of the dossiers of a request, oldest first (due_date_change). */
export function dueDateHistoryLoader(db: DataSource) {
  return new DataLoader<string, DueDateRow[]>(async (codes) => {
    const rows: { dossier_code: string; due_at: Date | null; at: Date }[] = await db.query(
      `SELECT dossier_code, due_at, at FROM due_date_change WHERE dossier_code = ANY($1) ORDER BY at, id`,
      [codes],
    );
    const by = new Map<string, DueDateRow[]>();
    for (const r of rows) by.set(r.dossier_code, [...(by.get(r.dossier_code) ?? []), { dueAt: r.due_at, at: r.at }]);
    return codes.map((c) => by.get(c) ?? []);
  });
}

/**
 * The deadline as it stood at a past instant: the due date in force then, and the waits for supplements as the
 * timeline had them by then (a wait in progress then is a pause, even if it has ended since).
 */
export function deadlineAt(d: Dossier, at: Date, events: { type: string; at: Date }[], dueDates: DueDateRow[]): Deadline {
  const inForce = dueDates.filter((c) => c.at <= at).pop();
  let pausedSince: Date | null = null;
  let pausedHours = 0;
  for (const e of events) {
    if (e.at > at) break;
    if (e.type === 'SUPPLEMENT_REQUESTED') pausedSince = e.at;
    if (e.type === 'SUPPLEMENT_RECEIVED' && pausedSince) {
      pausedHours += calendar.workingHoursBetween(pausedSince, e.at);
      pausedSince = null;
    }
  }
  const then = Object.assign(Object.create(Object.getPrototypeOf(d)) as Dossier, d, {
    dueAt: inForce ? inForce.dueAt : d.dueAt,
    status: pausedSince ? ProcessingStatus.WAITING : ProcessingStatus.PROCESSING,
    pausedSince,
    pausedHours,
  });
  return deadlineOf(then, at);
}
