import type { DataSource } from 'typeorm';
import { insertMany } from '../kit/bulk';
import { importProcessing } from '../kit/department/processing.import';
import { eventOf } from '../kit/history';
import type { HistoryBatch } from '../kit/subgraph';
import { Department } from './entities/department.entity';
import { DossierCounter } from './entities/dossier-counter.entity';
import { Dossier } from './entities/dossier.entity';
import { OneStopProcessing } from './entities/one-stop-processing.entity';
import { Procedure } from './entities/procedure.entity';
import { Rating } from './entities/rating.entity';
import { parseDossierCode } from '../kit/dossier-code';

/** The centre's part of dossier histories: catalogue, register, ratings, and its one-stop processing. */
export async function importIntakeHistory(db: DataSource, data: HistoryBatch): Promise<number> {
  const stored = await db.transaction(async (m) => {
    await insertMany(m, Department, data.departments);
    await insertMany(
      m,
      Procedure,
      data.procedures.map(({ departmentCode, ...p }) => ({ ...p, department: { code: departmentCode } as Department })),
    );
    const dossiers = data.dossiers.map((h) => {
      const decided = eventOf(h, 'DECIDED');
      const returned = eventOf(h, 'RESULT_RETURNED');
      return {
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
    await insertMany(
      m,
      Rating,
      data.dossiers
        .filter((h) => h.rating)
        .map((h) => ({ dossier: { code: h.code } as Dossier, level: h.rating!.level, reason: h.rating!.reason ?? null, officer: h.rating!.officer, ratedAt: h.rating!.at })) as Partial<Rating>[],
    );
    // Keep the daily counters past the imported codes, so new intake continues the numbering.
    const last = new Map<string, DossierCounter>();
    for (const h of data.dossiers) {
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
  );
  return stored;
}

