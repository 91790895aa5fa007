import { ReportPeriod1797200000501 } from './1797200000501-report-period';
import { PeriodAdopted1797400000201 } from './1797400000201-period-adopted';

/** Closed periods, in every system that reports figures (the register and the department systems). */
export const periodMigrations: Function[] = [ReportPeriod1797200000501, PeriodAdopted1797400000201];
