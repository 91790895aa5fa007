import type { EntityManager } from 'typeorm';
import { localDate } from '../kit/calendar/working-time';
import { formatDossierCode } from '../kit/dossier-code';

/**
 * The next dossier code of a unit for the day of `receivedAt` (Vietnam time). The counter row is
 * incremented in the caller's transaction, so concurrent intakes queue on it and never share a number,
 * and a rolled-back intake gives its number back.
 */
export async function nextDossierCode(m: EntityManager, unitCode: string, receivedAt: Date): Promise<string> {
  const day = localDate(receivedAt);
  const [{ last }] = await m.query(
    `INSERT INTO dossier_counter (unit_code, day, last) VALUES ($1, $2, 1)
     ON CONFLICT (unit_code, day) DO UPDATE SET last = dossier_counter.last + 1
     RETURNING last`,
    [unitCode, day],
  );
  return formatDossierCode(unitCode, day, last);
}
