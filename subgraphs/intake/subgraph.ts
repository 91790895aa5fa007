import { kitMigrations } from '../kit/department/migrations';
import { processingReference, processingResolver } from '../kit/department/processing.resolver';
import { StatusChange } from '../kit/department/status-change.entity';
import type { SubgraphModule } from '../kit/subgraph';
import { ONE_STOP_PROCESSING } from '../registry';
import { intakeReferences } from './dossier.reference';
import { intakeHandlers } from './handlers';
import './calendar';
import { applyStatus } from './register';
import { importIntakeHistory } from './history.import';
import { Department } from './entities/department.entity';
import { DossierCounter } from './entities/dossier-counter.entity';
import { Dossier } from './entities/dossier.entity';
import { ImportedLine } from './entities/imported-line.entity';
import { DossierEvent } from './entities/dossier-event.entity';
import { OneStopProcessing } from './entities/one-stop-processing.entity';
import { PROCESSING_STUBS } from './entities/processing.interface';
import { Procedure } from './entities/procedure.entity';
import { Rating } from './entities/rating.entity';
import { createIntakeLoaders, IntakeLoaders } from './loaders';
import { migrations } from './migrations';
import { AuditQueryResolver } from './resolvers/audit.resolver';
import { DataAccessResolver } from './resolvers/data-access.resolver';
import { HandoverQueueResolver } from './resolvers/handover-queue.resolver';
import { DepartmentResolver } from './resolvers/department.resolver';
import { LifecycleResolver } from './resolvers/lifecycle.resolver';
import { departmentPart, reportReferences, ReportResolver } from './report/report.resolver';
import { ReportPeriodResolver } from './report/period.resolver';
import { DEPARTMENT_REPORT_STUBS, DEPARTMENT_REPORT_TYPE_NAMES, OneStopDepartmentReport } from './report/report.types';
import { BREAKDOWN_RESOLVERS } from './report/breakdown.resolver';
import { Indicators766Resolver } from './report/indicators-766';
import { ReceiptResolver } from './resolvers/receipt.resolver';
import { DossierConnectionResolver } from './resolvers/dossier.connection';
import { DossierResolver } from './resolvers/dossier.resolver';
import { ProcedureResolver } from './resolvers/procedure.resolver';
import { CatalogueResolver } from './catalogue/catalogue.resolver';
import { CalendarResolver } from './resolvers/calendar.resolver';

const intake: SubgraphModule<IntakeLoaders> = {
  name: 'intake',
  entities: [Department, Procedure, Dossier, DossierCounter, DossierEvent, ImportedLine, Rating, OneStopProcessing, StatusChange],
  migrations: [...kitMigrations, ...migrations],
  countsWorkingTime: true,
  resolvers: [
    DossierResolver,
    DossierConnectionResolver,
    DepartmentResolver,
    ProcedureResolver,
    CatalogueResolver,
    ReportPeriodResolver,
    processingResolver(OneStopProcessing, ONE_STOP_PROCESSING, {
      detailKinds: [],
      detail: (d) => ({ resultDocument: (d.resultDocument as string) ?? null }),
      // The one-stop system shares the register's database: it updates it in the same transaction.
      afterStep: (m, row, taken) =>
        applyStatus(m, row.dossierCode, 'intake', { ...taken, dueAt: row.dueAt, decision: row.decision, note: taken.note ?? null }),
    }),
    ReceiptResolver,
    LifecycleResolver,
    ReportResolver,
    AuditQueryResolver,
    DataAccessResolver,
    HandoverQueueResolver,
    CalendarResolver,
    ...BREAKDOWN_RESOLVERS,
    Indicators766Resolver,
  ],
  orphanedTypes: [OneStopProcessing, ...PROCESSING_STUBS, OneStopDepartmentReport, ...DEPARTMENT_REPORT_STUBS],
  referenceResolvers: {
    ...intakeReferences,
    ...processingReference(ONE_STOP_PROCESSING),
    ...reportReferences,
    ...Object.fromEntries(DEPARTMENT_REPORT_TYPE_NAMES.map((t) => [t, { __resolveReference: (ref: { id: string }, ctx: any) => departmentPart(ref, ctx, t) }])),
  },
  handlers: intakeHandlers,
  createLoaders: createIntakeLoaders,
  importHistory: importIntakeHistory,
};

export default intake;
