/**
 * Dossier codes: `<unit code>-<yyMMdd>-<NNNN>`, e.g. `000.00.16.H56-200401-0012`. The number restarts each
 * day for each unit.
 */
const PATTERN = /^([0-9A-Z]{1,8}(?:\.[0-9A-Z]{1,8}){0,5})-(\d{2})(\d{2})(\d{2})-(\d{4})$/;

export function isDossierCode(code: string): boolean {
  const m = PATTERN.exec(code);
  if (!m) return false;
  const [, , yy, mm, dd, nnnn] = m;
  const date = new Date(Date.UTC(2000 + Number(yy), Number(mm) - 1, Number(dd)));
  return (
    date.getUTCMonth() === Number(mm) - 1 && date.getUTCDate() === Number(dd) && Number(nnnn) > 0
  );
}

/** Formats a code from its parts; `localDay` is the receiving day in Vietnam, YYYY-MM-DD. */
export function formatDossierCode(unitCode: string, localDay: string, sequence: number): string {
  if (sequence < 1 || sequence > 9999) throw new RangeError(`sequence ${sequence} out of 1..9999`);
  return `${unitCode}-${localDay.slice(2, 4)}${localDay.slice(5, 7)}${localDay.slice(8, 10)}-${String(sequence).padStart(4, '0')}`;
}

export function parseDossierCode(code: string): { unitCode: string; localDay: string; sequence: number } | null {
  if (!isDossierCode(code)) return null;
  const m = PATTERN.exec(code)!;
  return { unitCode: m[1], localDay: `20${m[2]}-${m[3]}-${m[4]}`, sequence: Number(m[5]) };
}
