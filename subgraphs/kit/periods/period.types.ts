import { Directive, Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'One figure a revision changed: as published when the month was closed, and as recounted now.' })
@Directive('@shareable')
export class FigureChange {
  @Field({ description: 'The figure, as the report names it: received.online, resolved.late, inProcess.overdue, ratings.total…' })
  figure: string;

  @Field(() => Int)
  published: number;

  @Field(() => Int)
  revised: number;
}

@ObjectType({
  description:
    'A change made to a closed month after its figures were published (an import with --correction, a hand-over that arrived ' +
    'after the close), kept beside the published figure and never folded into it.',
})
@Directive('@shareable')
export class ReportRevision {
  @Field({ description: 'The system whose figures it changed: intake (the register and the one-stop system) or a department system.' })
  system: string;

  @Field({ description: 'YYYY-MM' })
  month: string;

  @Field()
  departmentCode: string;

  @Field()
  reason: string;

  @Field()
  at: Date;

  @Field(() => [FigureChange], { description: "The department's figures for the month that differ now from the published ones (empty when none does)." })
  changes: FigureChange[];
}
