import { ProcessingTables1795697237354 } from './1795697237354-processing-tables';
import { ProcessingScope1795698498805 } from './1795698498805-processing-scope';
import { ProcessingReportColumns1795700190553 } from './1795700190553-processing-report-columns';
import { ReportRollup1795701000000 } from './1795701000000-report-rollup';
import { ReportMonth1795701400000 } from './1795701400000-report-month';
import { OverdueIndex1795701600000 } from './1795701600000-overdue-index';
import { OverdueIndexColumns1795701700000 } from './1795701700000-overdue-index-columns';
import { CoveringRollupKeys1795702100000 } from './1795702100000-covering-rollup-keys';
import { ReceivedDigest1795702200000 } from './1795702200000-received-digest';
import { StatusDigest1795702400000 } from './1795702400000-status-digest';
import { ProcessingApplicantIndex1795702561206 } from './1795702561206-processing-applicant-index';
import { DropProcessingApplicantIndex1797000000001 } from './1797000000001-drop-processing-applicant-index';
import { RollupRecount1797100000201 } from './1797100000201-rollup-recount';
import { calendarMigrations } from '../../calendar/migrations';
import { ProcessingHours1797200000401 } from './1797200000401-processing-hours';
import { periodMigrations } from '../../periods/migrations';

/** The kit's tables, applied before a department's own migrations. */
export const kitMigrations: Function[] = [ProcessingTables1795697237354, ProcessingScope1795698498805, ProcessingReportColumns1795700190553, ReportRollup1795701000000, ReportMonth1795701400000, OverdueIndex1795701600000, OverdueIndexColumns1795701700000, CoveringRollupKeys1795702100000, ReceivedDigest1795702200000, StatusDigest1795702400000, ProcessingApplicantIndex1795702561206, DropProcessingApplicantIndex1797000000001, RollupRecount1797100000201, ...calendarMigrations, ProcessingHours1797200000401, ...periodMigrations];
