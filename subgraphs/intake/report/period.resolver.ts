import { Arg, Ctx, Field, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { conflict, forbidden } from '../../kit/errors';
import { checkReportAccess } from '../../kit/report/department-report';
import { enqueue } from '../../kit/messaging/outbox';
import { CLOSE_PERIOD } from '../../kit/periods/period-close.handover';
import { closedPeriod, parseClosableMonth, storePeriod } from '../../kit/periods/period.store';
import type { RequestContext } from '../../kit/subgraph';
import { DEPARTMENT_SYSTEMS } from '../../registry';
import type { IntakeLoaders } from '../loaders';
import { registerSnapshot } from './period.data';
import { PERIOD_RECORD } from '../../kit/periods/period.store';

type Ctx = RequestContext<IntakeLoaders>;

@ObjectType({
  description:
    "A closed reporting month: the register's figures for it are frozen, signed in its audit chain, and handed to each " +
    'department system to freeze its own; reports over closed months answer from them.',
})
export class ReportPeriod {
  @Field({ description: 'YYYY-MM' })
  month: string;

  @Field()
  closedAt: Date;

  @Field({ description: "SHA-256 of the register's frozen figures (canonical JSON), as its audit chain records it." })
  digest: string;

  @Field(() => Int, {
    description:
      "Revisions of the month recorded since it was closed, in every system: the register's own, and each department " +
      "system's once its notice has arrived (the outbox delivers it, usually within a second). A report's cache is keyed by it.",
  })
  revisionCount: number;
}

const periodOf = (p: { month: string; closedAt: Date; digest: string; revisionCount?: number }) =>
  Object.assign(new ReportPeriod(), { month: p.month, closedAt: new Date(p.closedAt), digest: p.digest, revisionCount: Number(p.revisionCount ?? 0) });

@Resolver(() => ReportPeriod)
export class ReportPeriodResolver {
  @Mutation(() => ReportPeriod, {
    description:
      'Closes a month that is over (YYYY-MM): each system freezes its figures for it, and from then on a report over closed ' +
      'months answers from them; a later change to the month is kept as a revision beside them, and writes dated in it are ' +
      'refused (CONFLICT) except through a correction (npm run import -- FILE --correction "reason"). CENTRE_STAFF. ' +
      'CONFLICT when the month is closed already; BAD_USER_INPUT when it is not over.',
  })
  async closeReportPeriod(@Arg('month') month: string, @Ctx() ctx: Ctx): Promise<ReportPeriod> {
    if (ctx.identity.role !== 'CENTRE_STAFF') throw forbidden('closing a reporting period is for CENTRE_STAFF');
    const now = new Date();
    parseClosableMonth(month, now);
    const closed = await ctx.db.transaction(async (m) => {
      const stored = await storePeriod(m, month, now, ctx.identity.subject, () => registerSnapshot(m, month));
      if (!stored) return null;
      await ctx.audit.writeIn(m, { dossierCode: `${PERIOD_RECORD}${month}`, departmentCode: null, applicantIdNumber: null }, `digest:${stored.digest}`);
      await enqueue(m, DEPARTMENT_SYSTEMS.map((s) => ({
        destination: s.name,
        dossierCode: `period:${month}`,
        type: CLOSE_PERIOD,
        payload: { month, closedAt: now.toISOString(), closedBy: ctx.identity.subject },
      })));
      return stored;
    });
    if (!closed) {
      const before = await closedPeriod(ctx.db, month);
      throw conflict(`${month} was closed at ${new Date(before!.closedAt).toISOString()}; its figures stand, and a change to it is a revision`, { field: 'month' });
    }
    // Answered once the department systems have frozen theirs too, when they are up; the outbox delivers it either way.
    await ctx.dispatch();
    return periodOf(closed);
  }

  @Query(() => [ReportPeriod], { description: 'The closed reporting months, newest first. Centre staff and report builders.' })
  async reportPeriods(@Ctx() ctx: Ctx): Promise<ReportPeriod[]> {
    checkReportAccess(ctx.identity, null);
    const rows = await ctx.db.query(
      `SELECT to_char(p.month, 'YYYY-MM') AS month, p.closed_at AS "closedAt", p.digest,
              (SELECT count(*) FROM period_revision r WHERE r.month = p.month)
            + (SELECT count(*) FROM period_revision_notice n WHERE n.month = p.month) AS "revisionCount"
       FROM report_period p ORDER BY p.month DESC`,
    );
    return rows.map(periodOf);
  }
}
