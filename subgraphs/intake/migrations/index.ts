import { Initial1795697242740 } from './1795697242740-initial';
import { SearchExtensions1795699300000 } from './1795699300000-search-extensions';
import { RegisterStatusAndEvents1795699385172 } from './1795699385172-register-status-and-events';
import { ImportedLine1795700790463 } from './1795700790463-imported-line';
import { RegisterRollup1795701200000 } from './1795701200000-register-rollup';
import { RegisterDayIndex1795702000000 } from './1795702000000-register-day-index';
import { HandoverDigest1795702300000 } from './1795702300000-handover-digest';
import { WithdrawalRequest1795702410000 } from './1795702410000-withdrawal-request';
import { DossierApplicantIndex1795702561206 } from './1795702561206-dossier-applicant-index';
import { DataAccess1797000000000 } from './1797000000000-data-access';
import { RegisterReturned1797100000210 } from './1797100000210-register-returned';
import { ProcedureRetired1797200000201 } from './1797200000201-procedure-retired';
import { PeriodRevisionNotice1797300000101 } from './1797300000101-period-revision-notice';
import { DepartmentMove1797400000101 } from './1797400000101-department-move';

export const migrations: Function[] = [Initial1795697242740, SearchExtensions1795699300000, RegisterStatusAndEvents1795699385172, ImportedLine1795700790463, RegisterRollup1795701200000, RegisterDayIndex1795702000000, HandoverDigest1795702300000, WithdrawalRequest1795702410000, DossierApplicantIndex1795702561206, DataAccess1797000000000, RegisterReturned1797100000210, ProcedureRetired1797200000201, PeriodRevisionNotice1797300000101, DepartmentMove1797400000101];
