import { ReportPeriod1797200000501 } from './1797200000501-report-period';

/** Closed periods, in every system that reports figures (the register and the department systems). */
export const periodMigrations: Function[] = [ReportPeriod1797200000501];
