import type { ClassType } from 'type-graphql';
import type { DataSource } from 'typeorm';
import { calendar, WorkingCalendar } from '../calendar/working-time';
import { existingKeys, insertMany } from '../bulk';
import { DossierHistory, eventOf, statusTimeline } from '../history';
import { Decision, ProcessingStatus } from './processing-status';
import type { ProcessingRecord } from './processing.record';
import { StatusChange } from './status-change.entity';
import { dueDatesOf, recordDueDates } from './due-date';
import { processingHours, waitsOf } from '../report/processing-time';

/**
 * Stores the processing part of dossier histories: the record with its current status and decision,
 * and every status change. `detail` maps a decision's detail onto the system's own columns.
 */
export async function importProcessing<T extends ProcessingRecord>(
  db: DataSource,
  entity: ClassType<T>,
  histories: DossierHistory[],
  detail: (d: Record<string, unknown>) => Partial<T>,
  days: WorkingCalendar = calendar,
): Promise<number> {
  return db.transaction(async (m) => {
    const known = await existingKeys(m, 'processing', 'dossier_code', histories.map((h) => h.code));
    histories = histories.filter((h) => !known.has(h.code));
    const records = histories.map((h) => {
      const steps = statusTimeline(h);
      const decided = eventOf(h, 'DECIDED');
      return {
        dossierCode: h.code,
        procedureCode: h.procedureCode,
        receivedAt: h.receivedAt,
        dueAt: h.dueAt,
        status: steps[steps.length - 1].status as ProcessingStatus,
        officer: h.officer,
        decision: (decided?.outcome as Decision) ?? null,
        decidedAt: decided?.at ?? null,
        decidedBy: decided ? h.officer : null,
        processingHours: decided ? String(processingHours(h.receivedAt, decided.at, waitsOf(steps), days)) : null,
        updatedAt: steps[steps.length - 1].at,
        departmentCode: h.departmentCode,
        withdrawnAt: eventOf(h, 'WITHDRAWN')?.at ?? null,
        applicantIdNumber: h.applicant.idNumber,
        ...(decided?.detail ? detail(decided.detail) : {}),
      } as Partial<T>;
    });
    const changes = histories.flatMap((h) =>
      statusTimeline(h).map((s) => ({
        dossierCode: h.code,
        status: s.status as ProcessingStatus,
        at: s.at,
        officer: s.status === 'NEW' ? null : h.officer,
        note: s.note ?? null,
      })),
    );
    const inserted = await insertMany(m, entity, records);
    await insertMany(m, StatusChange, changes, 1000);
    for (let i = 0; i < histories.length; i += 1000) await recordDueDates(m, histories.slice(i, i + 1000).flatMap((h) => dueDatesOf(h, days)));
    return inserted;
  });
}
