import type { ClassType } from 'type-graphql';
import type { DataSource } from 'typeorm';
import { groupLoader, rowLoader } from '../loaders';
import type { SubgraphModule } from '../subgraph';
import { kitMigrations } from './migrations';
import { importProcessing } from './processing.import';
import { adoptProcessing } from './processing.adopt';
import { departmentReportLoaders, departmentReportType } from '../report/department-report';
import { breakdownLoader } from '../report/breakdown';
import { departmentHandlers, reportToCentre } from './processing.handlers';
import { processingReference, processingResolver, ProcessingLoaders } from './processing.resolver';
import type { ProcessingRecord } from './processing.record';
import { StatusChange } from './status-change.entity';

export interface DepartmentDefinition<T extends ProcessingRecord> {
  /** The subgraph's registry name. */
  name: string;
  /** The department's processing entity: ProcessingRecord plus its own detail. */
  entity: ClassType<T>;
  typeName: string;
  /** The department's own migrations, applied after the kit's. */
  migrations: Function[];
  /** Maps a decision's detail (from a history or a decide step) onto the entity's own columns. */
  detail(d: Record<string, unknown>): Partial<T>;
  /** The kinds of licence or certificate its decisions issue. */
  detailKinds: readonly string[];
}

/** A department subgraph: its processing entity on the kit's tables, resolvers and loaders. */
export function defineDepartment<T extends ProcessingRecord>(d: DepartmentDefinition<T>): SubgraphModule<ProcessingLoaders<T>> {
  const report = departmentReportType(d.typeName.replace(/Processing$/, 'DepartmentReport'));
  return {
    name: d.name,
    entities: [d.entity, StatusChange],
    migrations: [...kitMigrations, ...d.migrations],
    countsWorkingTime: true,
    resolvers: [
      processingResolver(d.entity, d.typeName, {
        detail: d.detail,
        detailKinds: d.detailKinds,
        afterStep: (m, row, taken) => reportToCentre(m, row, taken),
      }),
      report.resolver,
    ],
    handlers: departmentHandlers(d.entity),
    orphanedTypes: [report.type],
    referenceResolvers: { ...processingReference<T>(d.typeName), ...report.reference },
    importHistory: (db, data) =>
      importProcessing(db, d.entity, data.dossiers.filter((h) => h.processingSystem === d.name), d.detail, data.calendar),
    adoptProcessing: (m, moved) => adoptProcessing(m, d.entity, d.detail, moved),
    createLoaders: (db: DataSource) => ({
      processing: rowLoader(db, d.entity, 'dossierCode'),
      history: groupLoader(db, StatusChange, 'dossierCode', 'at'),
      ...departmentReportLoaders(db, d.name),
      breakdowns: breakdownLoader(db),
    }),
  };
}
