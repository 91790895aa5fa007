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

/**
 * The next codes for many dossiers at once (an import), in the order asked: one statement takes each unit and
 * day's numbers as a block, in the caller's transaction, as nextDossierCode takes one.
 */
export async function nextDossierCodes(m: EntityManager, wanted: { unitCode: string; receivedAt: Date }[]): Promise<string[]> {
  const blocks = new Map<string, { unitCode: string; day: string; count: number }>();
  const keys = wanted.map(({ unitCode, receivedAt }) => {
    const day = localDate(receivedAt);
    const key = `${unitCode}\u0000${day}`;
    const block = blocks.get(key) ?? { unitCode, day, count: 0 };
    block.count++;
    blocks.set(key, block);
    return key;
  });
  if (!blocks.size) return [];
  const all = [...blocks.values()];
  const rows: { unit_code: string; day: string; last: number }[] = await m.query(
    `INSERT INTO dossier_counter (unit_code, day, last)
     SELECT * FROM unnest($1::text[], $2::date[], $3::int[])
     ON CONFLICT (unit_code, day) DO UPDATE SET last = dossier_counter.last + EXCLUDED.last
     RETURNING unit_code, to_char(day, 'YYYY-MM-DD') AS day, last`,
    [all.map((b) => b.unitCode), all.map((b) => b.day), all.map((b) => b.count)],
  );
  const next = new Map(rows.map((r) => [`${r.unit_code}\u0000${r.day}`, r.last - blocks.get(`${r.unit_code}\u0000${r.day}`)!.count + 1]));
  return keys.map((key) => {
    const n = next.get(key)!;
    next.set(key, n + 1);
    const [unitCode, day] = key.split('\u0000');
    return formatDossierCode(unitCode, day, n);
  });
}
