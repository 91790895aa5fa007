import type { SubgraphModule } from './kit/subgraph';

export interface SubgraphEntry {
  /** kebab-case: folder, SDL file, env prefix (upper snake), database suffix, compose service. */
  name: string;
  port: number;
  /** For a department with its own system: the GraphQL type of its processing record. */
  processingType?: string;
  /** For a department with its own system: the department's code in the catalogue (SGTVT, CAT, SCT). */
  departmentCode?: string;
  load(): Promise<SubgraphModule>;
}

const load = (path: string) => () => import(path).then((m) => m.default as SubgraphModule);

export const SUBGRAPHS: readonly SubgraphEntry[] = [
  { name: 'intake', port: 4001, load: load('./intake/subgraph') },
  { name: 'postal', port: 4002, load: load('./postal/subgraph') },
  { name: 'transport', port: 4003, processingType: 'TransportProcessing', departmentCode: 'SGTVT', load: load('./transport/subgraph') },
  { name: 'police', port: 4004, processingType: 'PoliceProcessing', departmentCode: 'CAT', load: load('./police/subgraph') },
  {
    name: 'industry-trade',
    port: 4005,
    processingType: 'IndustryTradeProcessing',
    departmentCode: 'SCT',
    load: load('./industry-trade/subgraph'),
  },
];

export function subgraph(name: string): SubgraphEntry {
  const entry = SUBGRAPHS.find((s) => s.name === name);
  if (!entry) throw new Error(`unknown subgraph "${name}"; known: ${SUBGRAPHS.map((s) => s.name).join(', ')}`);
  return entry;
}

export const DEPARTMENT_SYSTEMS = SUBGRAPHS.filter((s) => s.processingType);

/** Processing of dossiers whose department has no system of its own, kept by the centre. */
export const ONE_STOP_PROCESSING = 'OneStopProcessing';

/** The processing type that names the system owning a department's dossiers (route by value). */
export function processingTypeFor(system: string | null | undefined): string {
  if (!system) return ONE_STOP_PROCESSING;
  const entry = DEPARTMENT_SYSTEMS.find((s) => s.name === system);
  if (!entry) throw new Error(`department system "${system}" is not in the registry`);
  return entry.processingType!;
}

export const envPrefix = (name: string) => name.replace(/-/g, '_').toUpperCase();
export const databaseName = (name: string) => `motcua_${name.replace(/-/g, '_')}`;

/** The report type of a department's system: TransportDepartmentReport…, OneStopDepartmentReport for the centre's. */
export function reportTypeFor(system: string | null | undefined): string {
  return processingTypeFor(system).replace(/Processing$/, 'DepartmentReport');
}
