import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { FIRST_YEAR, HORIZON_YEAR } from '../../kit/calendar/holidays';
import { SCHEMA_DIR } from '../../kit/paths';
import { DEPARTMENT_SYSTEMS } from '../../registry';

export interface DepartmentEntry {
  code: string;
  name: string;
  unitCode: string;
  system: string | null;
}

export interface ProcedureEntry {
  code: string;
  name: string;
  departmentCode: string;
  workingDays: number;
  fee: number;
}

export interface CalendarEntry {
  holidays: string[];
  workingDays?: string[];
}

/** A province's catalogue file (schema/catalogue.schema.json, docs/catalogue.md). */
export interface CatalogueFile {
  departments: DepartmentEntry[];
  procedures: ProcedureEntry[];
  calendar?: CalendarEntry;
}

/** What the catalogue already holds, for the checks a file cannot make alone. */
export interface KnownCatalogue {
  departments: Map<string, { unitCode: string; system: string | null; used: boolean }>;
}

export const CATALOGUE_SCHEMA: Record<string, any> = JSON.parse(readFileSync(join(SCHEMA_DIR, 'catalogue.schema.json'), 'utf8'));

const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
addFormats(ajv, ['date']);
const validate = ajv.compile<CatalogueFile>(CATALOGUE_SCHEMA);

/** Why a value was refused, in the file's words rather than the validator's. */
const REASONS: Record<string, string> = {
  'procedures.code/pattern': 'is not a procedure code in the national format d.dddddd, e.g. 1.002820',
  'departments.code/pattern': 'is not a department code of 2 to 16 capital letters, e.g. SGTVT',
  'unitCode/pattern': 'is not a unit code such as 000.00.16.H56',
  'workingDays/type': 'must be a whole number of working days',
  'workingDays/minimum': 'must be a positive number of working days',
  'workingDays/maximum': 'is more than a year of working days',
  'fee/type': 'must be a whole number of đồng',
  'fee/minimum': 'cannot be negative',
  'system/enum': `is not a department system in the registry (${DEPARTMENT_SYSTEMS.map((s) => s.name).join(', ')}, or null)`,
  'name/minLength': 'is too short: at least 2 characters',
  'name/maxLength': 'is too long',
  'date/format': 'is not a calendar date',
  'date/pattern': 'is not a date written YYYY-MM-DD',
};

const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v) : JSON.stringify(v) ?? String(v));

/** "procedures[3] (code 1.002820)" for /procedures/3/…, "calendar.holidays[2]" for /calendar/holidays/2. */
function entryOf(file: any, path: string[]): { label: string; list: string; field: string } {
  const [list, index, ...rest] = path;
  if ((list === 'departments' || list === 'procedures') && index !== undefined) {
    const code = file?.[list]?.[index]?.code;
    return { label: `${list}[${index}]${typeof code === 'string' ? ` (code ${code.slice(0, 20)})` : ''}`, list, field: rest.join('.') };
  }
  if (list === 'calendar' && index !== undefined && rest.length) return { label: `calendar.${index}[${rest[0]}]`, list, field: 'date' };
  return { label: path.length ? path.join('.') : 'the file', list, field: '' };
}

function schemaProblem(file: unknown, e: ErrorObject): { key: string; text: string } {
  const path = e.instancePath.split('/').slice(1);
  const { label, list, field } = entryOf(file, path);
  if (e.keyword === 'required') return { key: `${label}/${e.params.missingProperty}`, text: `${label}: ${e.params.missingProperty} is missing` };
  if (e.keyword === 'additionalProperties') {
    return { key: `${label}/${e.params.additionalProperty}`, text: `${label}: ${e.params.additionalProperty} is not a field of the file` };
  }
  const reason = REASONS[`${list}.${field}/${e.keyword}`] ?? REASONS[`${field}/${e.keyword}`] ?? e.message ?? e.keyword;
  const named = field && field !== 'date' ? `${field} ` : '';
  return { key: `${label}/${field}`, text: `${label}: ${named}${show(e.data)} ${reason}` };
}

const isString = (v: unknown): v is string => typeof v === 'string';

/**
 * Every problem of a file, each naming its entry and the offending value: the JSON Schema's, then what only the
 * whole file and the catalogue can tell (duplicates, departments of procedures, systems, dates in both lists).
 */
export function catalogueProblems(file: unknown, known: KnownCatalogue): string[] {
  const problems = new Map<string, string>();
  if (!validate(file)) {
    for (const e of validate.errors ?? []) {
      const p = schemaProblem(file, e);
      if (!problems.has(p.key)) problems.set(p.key, p.text);
    }
  }
  const f = (file && typeof file === 'object' ? file : {}) as Partial<Record<keyof CatalogueFile, any>>;
  const departments: any[] = Array.isArray(f.departments) ? f.departments : [];
  const procedures: any[] = Array.isArray(f.procedures) ? f.procedures : [];
  const add = (list: string, i: number, field: string, text: string) => {
    const { label } = entryOf(f, [list, String(i)]);
    const key = `${label}/${field}`;
    if (!problems.has(key)) problems.set(key, `${label}: ${text}`);
  };

  const firstOf = (values: unknown[]) => {
    const first = new Map<string, number>();
    values.forEach((v, i) => isString(v) && !first.has(v) && first.set(v, i));
    return first;
  };
  const deptCodes = firstOf(departments.map((d) => d?.code));
  const unitCodes = firstOf(departments.map((d) => d?.unitCode));
  const procCodes = firstOf(procedures.map((p) => p?.code));
  const inFile = new Set(deptCodes.keys());
  departments.forEach((d, i) => {
    if (!d || typeof d !== 'object') return;
    if (isString(d.code) && deptCodes.get(d.code) !== i) add('departments', i, 'code', `code ${show(d.code)} is already departments[${deptCodes.get(d.code)}]`);
    if (isString(d.unitCode) && unitCodes.get(d.unitCode) !== i) {
      add('departments', i, 'unitCode', `unitCode ${show(d.unitCode)} is already the unit of departments[${unitCodes.get(d.unitCode)}]`);
    }
    if (isString(d.unitCode)) {
      const holder = [...known.departments].find(([code, k]) => k.unitCode === d.unitCode && code !== d.code && !inFile.has(code));
      if (holder) add('departments', i, 'unitCode', `unitCode ${show(d.unitCode)} is already the unit of department ${holder[0]} in the catalogue`);
    }
    if (isString(d.system)) {
      const entry = DEPARTMENT_SYSTEMS.find((s) => s.name === d.system);
      // The registry ties each system to one department code: its officers' tokens and its outage messages name it.
      if (entry && isString(d.code) && entry.departmentCode !== d.code) {
        add('departments', i, 'system', `system ${show(d.system)} serves department ${entry.departmentCode} (subgraphs/registry.ts), not ${d.code}`);
      } else if (!entry) {
        add('departments', i, 'system', `system ${show(d.system)} ${REASONS['system/enum']}`);
      }
    }
    const before = isString(d.code) ? known.departments.get(d.code) : undefined;
    // Dossiers already carry the department's unit in their codes and went to its system: both are fixed once used.
    if (before?.used) {
      if (isString(d.unitCode) && d.unitCode !== before.unitCode) {
        add('departments', i, 'unitCode', `unitCode ${show(d.unitCode)} cannot replace ${before.unitCode}: dossiers are numbered under it`);
      }
      if (d.system !== undefined && d.system !== before.system) {
        add('departments', i, 'system', before.system === null
          ? `system ${show(d.system)} cannot replace null: its dossiers are in the one-stop system (npm run department:move takes them there with their history)`
          : `system ${show(d.system)} cannot replace ${show(before.system)}: dossiers were handed to it`);
      }
    }
  });
  procedures.forEach((p, i) => {
    if (!p || typeof p !== 'object') return;
    if (isString(p.code) && procCodes.get(p.code) !== i) add('procedures', i, 'code', `code ${show(p.code)} is already procedures[${procCodes.get(p.code)}]`);
    if (isString(p.departmentCode) && !inFile.has(p.departmentCode) && !known.departments.has(p.departmentCode)) {
      add('procedures', i, 'departmentCode', `departmentCode ${show(p.departmentCode)} is not a department of the file or the catalogue`);
    }
  });
  const calendar = f.calendar && typeof f.calendar === 'object' ? f.calendar : {};
  const holidays = new Set<string>(Array.isArray(calendar.holidays) ? calendar.holidays.filter(isString) : []);
  for (const list of ['holidays', 'workingDays']) {
    (Array.isArray(calendar[list]) ? calendar[list] : []).forEach((day: unknown, i: number) => {
      const key = `calendar.${list}[${i}]/date`;
      const year = isString(day) ? Number(day.slice(0, 4)) : NaN;
      if (!problems.has(key) && (year < FIRST_YEAR || year > HORIZON_YEAR)) {
        problems.set(key, `calendar.${list}[${i}]: ${show(day)} is outside the calendar's years ${FIRST_YEAR}–${HORIZON_YEAR}`);
      }
    });
  }
  (Array.isArray(calendar.workingDays) ? calendar.workingDays : []).forEach((day: unknown, i: number) => {
    const key = `calendar.workingDays[${i}]/date`;
    if (!isString(day) || problems.has(key) || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return;
    if (holidays.has(day)) problems.set(key, `calendar.workingDays[${i}]: ${show(day)} is also in calendar.holidays`);
    else if (![0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay())) {
      problems.set(key, `calendar.workingDays[${i}]: ${show(day)} is a weekday, already a working day (list only Saturdays or Sundays made working days)`);
    }
  });
  return [...problems.values()];
}
