import type { DataSource } from 'typeorm';
import { existingKeys, insertMany } from '../kit/bulk';
import { importProcessing } from '../kit/department/processing.import';
import { DossierHistory, eventOf, statusTimeline } from '../kit/history';
import { ProcessingStatus } from '../kit/department/processing-status';
import { DossierEvent } from './entities/dossier-event.entity';
import type { HistoryBatch } from '../kit/subgraph';
import { Department } from './entities/department.entity';
import { DossierCounter } from './entities/dossier-counter.entity';
import { Dossier } from './entities/dossier.entity';
import { OneStopProcessing } from './entities/one-stop-processing.entity';
import { Procedure } from './entities/procedure.entity';
import { Rating } from './entities/rating.entity';
import { parseDossierCode } from '../kit/dossier-code';
import { dueDatesOf, recordDueDates } from '../kit/department/due-date';

/** The centre's part of dossier histories: register, ratings, and its one-stop processing. */
export async function importIntakeHistory(db: DataSource, data: HistoryBatch): Promise<number> {
  const stored = await db.transaction(async (m) => {
    const known = await existingKeys(m, 'dossier', 'code', data.dossiers.map((h) => h.code));
    const fresh = data.dossiers.filter((h) => !known.has(h.code));
    const dossiers = fresh.map((h) => {
      const decided = eventOf(h, 'DECIDED');
      const returned = eventOf(h, 'RESULT_RETURNED');
      const steps = statusTimeline(h);
      const last = steps[steps.length - 1];
      return {
        status: last.status as ProcessingStatus,
        pausedSince: last.status === 'WAITING' ? last.at : null,
        code: h.code,
        procedure: { code: h.procedureCode } as Procedure,
        department: { code: h.departmentCode } as Department,
        processingSystem: h.processingSystem,
        applicant: h.applicant,
        channel: h.channel,
        receivedAt: h.receivedAt,
        dueAt: h.dueAt,
        handedOverAt: h.handedOverAt,
        decidedAt: decided?.at ?? null,
        decision: decided?.outcome ?? null,
        returnedAt: returned?.at ?? null,
        returnChannel: returned?.channel ?? null,
        withdrawnAt: eventOf(h, 'WITHDRAWN')?.at ?? null,
      } as Partial<Dossier>;
    });
    const inserted = await insertMany(m, Dossier, dossiers);
    await insertMany(m, DossierEvent, fresh.flatMap(registerEvents), 1000);
    for (let i = 0; i < fresh.length; i += 1000) await recordDueDates(m, fresh.slice(i, i + 1000).flatMap((h) => dueDatesOf(h, data.calendar)));
    await insertMany(
      m,
      Rating,
      fresh
        .filter((h) => h.rating)
        .map((h) => ({ dossier: { code: h.code } as Dossier, level: h.rating!.level, reason: h.rating!.reason ?? null, officer: h.rating!.officer, ratedAt: h.rating!.at })) as Partial<Rating>[],
    );
    // Keep the daily counters past the imported codes, so new intake continues the numbering.
    const last = new Map<string, DossierCounter>();
    for (const h of fresh) {
      const parsed = parseDossierCode(h.code);
      if (!parsed) continue;
      const key = `${parsed.unitCode}|${parsed.localDay}`;
      if ((last.get(key)?.last ?? 0) < parsed.sequence) last.set(key, { unitCode: parsed.unitCode, day: parsed.localDay, last: parsed.sequence });
    }
    for (const c of last.values()) {
      await m.query(
        `INSERT INTO dossier_counter (unit_code, day, last) VALUES ($1, $2, $3)
         ON CONFLICT (unit_code, day) DO UPDATE SET last = GREATEST(dossier_counter.last, EXCLUDED.last)`,
        [c.unitCode, c.day, c.last],
      );
    }
    return inserted;
  });
  await importProcessing(
    db,
    OneStopProcessing,
    data.dossiers.filter((h) => h.processingSystem === null),
    (d) => ({ resultDocument: (d.resultDocument as string) ?? null }),
    data.calendar,
  );
  return stored;
}


/** The register's event log of a history: its own steps, and what the other systems reported. */
function registerEvents(h: DossierHistory): Partial<DossierEvent>[] {
  const system = h.processingSystem ?? 'intake';
  const events: Partial<DossierEvent>[] = [
    { at: h.receivedAt, system: 'intake', type: 'RECEIVED', detail: h.channel },
    { at: h.handedOverAt, system: 'intake', type: 'HANDED_OVER', detail: h.processingSystem ?? 'one-stop' },
  ];
  if (h.inbound) events.push({ at: h.inbound.deliveredAt, system: 'postal', type: 'SHIPMENT_DELIVERED', detail: `INBOUND ${h.inbound.trackingNumber}` });
  for (const e of h.events) {
    if (e.type === 'RESULT_RETURNED') {
      events.push({ at: e.at, system: 'intake', type: e.type, detail: e.channel });
      if (e.trackingNumber) {
        events.push({ at: e.at, system: 'postal', type: 'SHIPMENT_ACCEPTED', detail: `OUTBOUND ${e.trackingNumber}` });
        if (e.deliveredAt) events.push({ at: e.deliveredAt, system: 'postal', type: 'SHIPMENT_DELIVERED', detail: `OUTBOUND ${e.trackingNumber}` });
      }
    } else if (e.type === 'WITHDRAWN') {
      events.push({ at: e.at, system: 'intake', type: e.type, detail: null });
    } else {
      events.push({ at: e.at, system, type: e.type, detail: e.type === 'DECIDED' ? e.outcome : null });
    }
  }
  if (h.rating) events.push({ at: h.rating.at, system: 'intake', type: 'RATED', detail: h.rating.level });
  return events.map((e) => ({ dossierCode: h.code, detail: null, ...e }));
}
