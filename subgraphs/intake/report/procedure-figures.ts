import { Field, Float, Int, ObjectType } from 'type-graphql';
import { ResolvedFigures } from '../../kit/report/figures';

@ObjectType({
  description:
    "A procedure's figures in a department and a period: the processing figures of the system that processes its dossiers " +
    "(processingByProcedure), and the register's dissatisfied ratings of its dossiers.",
})
export class ProcedureFigures {
  @Field()
  procedureCode: string;

  @Field(() => Int, { description: 'Dossiers of the procedure received in the period.' })
  received: number;

  @Field(() => ResolvedFigures)
  resolved: ResolvedFigures;

  @Field(() => Float, { nullable: true, description: 'Average processing time in working hours (ProcedureProcessing.averageHours).' })
  averageHours: number | null;

  @Field(() => Float, { nullable: true, description: '90th-percentile processing time in working hours, percentile_cont(0.9) (ProcedureProcessing.p90Hours).' })
  p90Hours: number | null;

  @Field(() => Int)
  supplementsRequested: number;

  @Field(() => Int, {
    description:
      "Ratings given in the period on the procedure's dossiers of this department at the DISSATISFIED level, as the centre " +
      'recorded them (the rating is of the service, whoever the staff member rated).',
  })
  dissatisfiedRatings: number;
}
