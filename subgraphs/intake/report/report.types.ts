import { Directive, Field, Float, ID, Int, InterfaceType, ObjectType } from 'type-graphql';
import { InProcessFigures, ReceivedDay, ResolvedFigures } from '../../kit/report/figures';
import { LocalDateScalar } from '../../kit/report/period';
import { ProcedureProcessing } from '../../kit/report/breakdown';
import { ProcedureFigures } from './procedure-figures';
import { DEPARTMENT_SYSTEMS, reportTypeFor } from '../../registry';
import { Department } from '../entities/department.entity';
import { ReportRevision } from '../../kit/periods/period.types';

@ObjectType({ description: 'New dossiers received in the period, by channel.' })
export class ReceivedFigures {
  @Field(() => Int)
  total: number;

  @Field(() => Int)
  online: number;

  @Field(() => Int)
  direct: number;

  @Field(() => Int)
  postal: number;
}

@ObjectType({ description: "Citizens' ratings of the centre's staff in the period." })
export class RatingFigures {
  @Field(() => Int)
  total: number;

  @Field(() => Int)
  verySatisfied: number;

  @Field(() => Int)
  satisfied: number;

  @Field(() => Int)
  dissatisfied: number;
}

@ObjectType({ description: 'The rates the centre publishes: percent, two decimals, rounded half up; null when the whole is 0.' })
export class ReportRates {
  @Field(() => Float, { nullable: true, description: 'Online over new dossiers.' })
  online: number | null;

  @Field(() => Float, { nullable: true })
  direct: number | null;

  @Field(() => Float, { nullable: true })
  postal: number | null;

  @Field(() => Float, { nullable: true, description: 'Early over resolved.' })
  early: number | null;

  @Field(() => Float, { nullable: true })
  onTime: number | null;

  @Field(() => Float, { nullable: true })
  late: number | null;

  @Field(() => Float, { nullable: true, description: 'Early or on time over resolved: the figure the centre headlines.' })
  earlyOrOnTime: number | null;

  @Field(() => Float, { nullable: true, description:
      'Results returned by post in the period over all results returned in the period (in person or by post): the same ' +
      'population on both sides, so never above 100. (It was over resolved, which counts other dossiers and could pass 100.)' })
  returnedByPost: number | null;

  @Field(() => Float, { nullable: true, description: 'Very satisfied over ratings.' })
  verySatisfied: number | null;

  @Field(() => Float, { nullable: true })
  satisfied: number | null;

  @Field(() => Float, { nullable: true })
  dissatisfied: number | null;
}

/** What the register knows of a department's part of a report: the department and its new dossiers. */
@InterfaceType('DepartmentReport', {
  resolveType: (v: { __typename?: string }) => v.__typename,
  description: "One department's part of a report; the concrete type names the system whose processing data it is.",
})
export abstract class DepartmentReportRef {
  @Field(() => ID)
  id: string;

  @Field()
  departmentCode: string;

  @Field(() => Department)
  department: Department;

  @Field(() => ReceivedFigures)
  received: ReceivedFigures;

  @Field(() => [ProcedureFigures], { description: 'Per procedure: the processing figures and the dissatisfied ratings, busiest first.' })
  byProcedure: ProcedureFigures[];
}

/** The processing figures of departments in the one-stop system: the register computes them itself. */
@ObjectType('OneStopDepartmentReport', { implements: DepartmentReportRef })
@Directive('@key(fields: "id")')
export class OneStopDepartmentReport extends DepartmentReportRef {
  @Field(() => Int)
  carriedOver: number;

  @Field(() => ResolvedFigures)
  resolved: ResolvedFigures;

  @Field(() => Int)
  withdrawn: number;

  @Field(() => InProcessFigures)
  inProcess: InProcessFigures;

  @Field()
  reportKey: string;

  @Field(() => Int)
  receivedCount: number;

  @Field(() => [String], { description: 'Always empty: the one-stop system shares the register\'s database.' })
  unreportedDecisions: string[];

  @Field(() => [ReceivedDay], { description: 'Always empty: the one-stop system shares the register\'s database.' })
  receivedDays: ReceivedDay[];

  @Field(() => [String], { description: 'Always empty: the one-stop system shares the register\'s database.' })
  statusesInFlight: string[];

  @Field({ description: 'True when the period is whole months the centre has closed: the figures are the published ones.' })
  published: boolean;

  @Field(() => [ReportRevision], { description: 'Changes made to the closed months the period touches after they were published, oldest first.' })
  revisions: ReportRevision[];
}

/** A department with its own system: the register gives department and received; the rest is that system's. */
function departmentReportStub(typeName: string): Function {
  @ObjectType(typeName, { implements: DepartmentReportRef })
  @Directive('@key(fields: "id")')
  class Stub extends DepartmentReportRef {
    @Field(() => Int)
    @Directive('@external')
    carriedOver: number;

    @Field(() => ResolvedFigures)
    @Directive('@external')
    resolved: ResolvedFigures;

    @Field(() => Int)
    @Directive('@external')
    withdrawn: number;

    @Field(() => InProcessFigures)
    @Directive('@external')
    inProcess: InProcessFigures;

    @Field()
    @Directive('@external')
    reportKey: string;

    @Field(() => Int)
    @Directive('@external')
    receivedCount: number;

    @Field(() => [String])
    @Directive('@external')
    unreportedDecisions: string[];

    @Field(() => [ReceivedDay])
    @Directive('@external')
    receivedDays: ReceivedDay[];

    @Field(() => [String])
    @Directive('@external')
    statusesInFlight: string[];

    @Field(() => [ProcedureProcessing])
    @Directive('@external')
    processingByProcedure: ProcedureProcessing[];

    @Field()
    @Directive('@external')
    published: boolean;

    @Field(() => [ReportRevision])
    @Directive('@external')
    revisions: ReportRevision[];
  }
  return Stub;
}

export const DEPARTMENT_REPORT_TYPE_NAMES = DEPARTMENT_SYSTEMS.map((s) => reportTypeFor(s.name));
export const DEPARTMENT_REPORT_STUBS = DEPARTMENT_REPORT_TYPE_NAMES.map(departmentReportStub);

const FIGURES = 'carriedOver withdrawn resolved { total early onTime late } inProcess { total overdue } reportKey receivedCount unreportedDecisions published';
const requires = (fields: string) =>
  `@requires(fields: "byDepartment { ${DEPARTMENT_SYSTEMS.map((s) => `... on ${reportTypeFor(s.name)} { ${fields} }`).join(' ')} }")`;
/** The department systems' figures a total needs, gathered by the router before the register adds them up. */
export const REQUIRES_FIGURES = requires(FIGURES);
/** Reconciliation also compares the days' digests of codes and statuses: asked for only when it is. */
/** The revisions each department system keeps of the closed months a report touches. */
export const REQUIRES_REVISIONS = requires('reportKey revisions { system month departmentCode reason at changes { figure published revised } }');
export const REQUIRES_RECONCILIATION = requires(`${FIGURES} receivedDays { day count digest statusDigest } statusesInFlight`);

const WITHHELD =
  " Withheld (null, with an UNAVAILABLE error naming the department) when a department system's figures did not arrive: a total without them would be wrong.";

@ObjectType({ description: 'Where the systems disagree with the register about the period, so that someone can act.' })
export class Reconciliation {
  @Field({ description: 'True when every system agrees with the register.' })
  consistent: boolean;

  @Field(() => [String], { description: 'Problems found, one line each, with up to 50 dossier codes.' })
  problems: string[];
}

@ObjectType({
  description:
    "The monthly report (form II.06a) for a period and all departments or one, computed where the data lives: the register " +
    'counts intake, returns and ratings; each processing system counts its own decisions and backlog; totals are added ' +
    'up from their parts.',
})
@Directive('@key(fields: "id")')
export class Report {
  @Field(() => ID)
  id: string;

  @Field(() => LocalDateScalar)
  from: string;

  @Field(() => LocalDateScalar)
  to: string;

  @Field(() => String, { nullable: true })
  departmentCode: string | null;

  @Field(() => Int, { nullable: true, description: 'Not finished at the start of the period.' + WITHHELD })
  @Directive(REQUIRES_FIGURES)
  carriedOver: number;

  @Field(() => ResolvedFigures, { nullable: true, description: 'Decided in the period.' + WITHHELD })
  @Directive(REQUIRES_FIGURES)
  resolved: ResolvedFigures;

  @Field(() => Int, { nullable: true, description: 'Withdrawn in the period; form II.06a folds these into "on time", this report keeps them apart.' + WITHHELD })
  @Directive(REQUIRES_FIGURES)
  withdrawn: number;

  @Field(() => InProcessFigures, { nullable: true, description: 'At the end of the period.' + WITHHELD })
  @Directive(REQUIRES_FIGURES)
  inProcess: InProcessFigures;

  @Field(() => Boolean, { nullable: true, description: 'carriedOver + received = resolved + withdrawn + inProcess.' + WITHHELD })
  @Directive(REQUIRES_FIGURES)
  balanced: boolean;

  @Field(() => ReportRates, { nullable: true, description: 'The rates the centre publishes.' + WITHHELD })
  @Directive(REQUIRES_FIGURES)
  rates: ReportRates;

}
