import type { DataSource } from 'typeorm';
import { groupLoader, rowLoader } from '../kit/loaders';
import { StatusChange } from '../kit/department/status-change.entity';
import { Department } from './entities/department.entity';
import { Dossier } from './entities/dossier.entity';
import { DossierEvent } from './entities/dossier-event.entity';
import { OneStopProcessing } from './entities/one-stop-processing.entity';
import { Procedure } from './entities/procedure.entity';
import { Rating } from './entities/rating.entity';
import { registerFiguresLoader } from './report/report.data';
import { breakdownLoader } from '../kit/report/breakdown';
import { procedureRatingsLoader } from './report/breakdown.resolver';
import { dueDateHistoryLoader } from './resolvers/deadline';

export function createIntakeLoaders(db: DataSource, requestId: string) {
  return {
    dossier: rowLoader(db, Dossier, 'code'),
    department: rowLoader(db, Department, 'code'),
    procedure: rowLoader(db, Procedure, 'code'),
    processing: rowLoader(db, OneStopProcessing, 'dossierCode'),
    history: groupLoader(db, StatusChange, 'dossierCode', 'at'),
    rating: rowLoader(db, Rating, 'dossier', 'dossierCode'),
    events: groupLoader(db, DossierEvent, 'dossierCode', 'at'),
    dueDates: dueDateHistoryLoader(db),
    register: registerFiguresLoader(db, requestId),
    breakdowns: breakdownLoader(db),
    procedureRatings: procedureRatingsLoader(db),
  };
}

export type IntakeLoaders = ReturnType<typeof createIntakeLoaders>;
