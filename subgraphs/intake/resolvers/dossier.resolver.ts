import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { dossierAccess, lookup } from '../../kit/access';
import { badUserInput, forbidden } from '../../kit/errors';
import { isDossierCode } from '../../kit/dossier-code';
import type { RequestContext } from '../../kit/subgraph';
import { ONE_STOP_PROCESSING, processingTypeFor } from '../../registry';
import { Applicant } from '../entities/applicant.entity';
import { Department } from '../entities/department.entity';
import { Dossier } from '../entities/dossier.entity';
import { Procedure } from '../entities/procedure.entity';
import { ProcessingRef } from '../entities/processing.interface';
import { Rating } from '../entities/rating.entity';
import type { IntakeLoaders } from '../loaders';
import { Deadline, deadlineAt, deadlineOf } from './deadline';
import { DossierConnection, decodeCursor, encodeCursor, MAX_PAGE } from './dossier.connection';
import { applyFilter, DossierFilter, DossierOrder } from './dossier.filter';
import { DossierEvent } from '../entities/dossier-event.entity';

const ORDERS: Record<DossierOrder, { key: string; direction: 'ASC' | 'DESC'; value: (d: Dossier) => Date | null }> = {
  RECEIVED_AT_DESC: { key: 'd.receivedAt', direction: 'DESC', value: (d) => d.receivedAt },
  RECEIVED_AT_ASC: { key: 'd.receivedAt', direction: 'ASC', value: (d) => d.receivedAt },
  DUE_AT_ASC: { key: "COALESCE(d.dueAt, 'infinity')", direction: 'ASC', value: (d) => d.dueAt },
};

type Ctx = RequestContext<IntakeLoaders>;

/** A list with no single dossier, as the audit trail names a refused filter. */
const LIST_SCOPE = { dossierCode: '*', departmentCode: null, applicantIdNumber: null };

/**
 * Filters on a person that callers who see persons masked may not use: matching and counting by them would
 * recover what the mask hides (a name a letter at a time through totalCount, an ID number by guessing).
 */
const PERSONAL_FILTERS = ['applicantIdNumber', 'search'] as const;

@Resolver(() => Dossier)
export class DossierResolver {
  @Query(() => Dossier, {
    nullable: true,
    description:
      'A dossier by its code; null when there is none. Officers and citizens get NOT_FOUND for any dossier ' +
      'outside their scope, whether or not it exists; callers without a token get FORBIDDEN.',
  })
  async dossier(@Arg('code') code: string, @Ctx() ctx: Ctx): Promise<Dossier | null> {
    if (!isDossierCode(code)) throw badUserInput('code is not a dossier code (<unit>-<yyMMdd>-<NNNN>)', { field: 'code' });
    if (ctx.identity.role === 'ANONYMOUS') throw forbidden('sign in to read dossiers');
    const row = await ctx.loaders.dossier.load(code);
    return lookup(ctx, row?.scope ?? null) && row;
  }

  @Query(() => DossierConnection, {
    description:
      `Dossiers the caller may see, filtered and ordered; at most ${MAX_PAGE} a page. Officers see their ` +
      "department's, citizens their own; report builders and services see them masked, and may not filter by " +
      'applicantIdNumber or search (FORBIDDEN, audited).',
  })
  async dossiers(
    @Arg('filter', () => DossierFilter, { nullable: true }) filter: DossierFilter | null,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('orderBy', () => DossierOrder, { defaultValue: DossierOrder.RECEIVED_AT_DESC }) orderBy: DossierOrder,
    @Ctx() ctx: Ctx,
  ): Promise<DossierConnection> {
    if (first < 1 || first > MAX_PAGE) throw badUserInput(`first must be between 1 and ${MAX_PAGE}`, { field: 'first' });
    const who = ctx.identity;
    if (who.role === 'ANONYMOUS') throw forbidden('sign in to list dossiers');
    if (dossierAccess(who, LIST_SCOPE) === 'MASKED') {
      const used = PERSONAL_FILTERS.filter((f) => filter?.[f] != null).map((f) => `filter.${f}`);
      if (used.length) {
        ctx.audit.deny(LIST_SCOPE, 'READ', ...used);
        throw forbidden(`${used.join(' and ')}: personal data, which this role sees masked, cannot be filtered by`, { field: used[0] });
      }
    }
    const now = new Date();
    const base = () => {
      const q = ctx.db.getRepository(Dossier).createQueryBuilder('d');
      if (who.role === 'DEPARTMENT_OFFICER') q.andWhere('d.department = :department', { department: who.department });
      if (who.role === 'CITIZEN') q.andWhere('d.applicant.idNumber = :citizenId', { citizenId: who.citizenId });
      applyFilter(q, filter, now);
      return q;
    };
    const sort = ORDERS[orderBy];
    const query = base().orderBy(sort.key, sort.direction).addOrderBy('d.code', sort.direction).limit(first + 1);
    if (after != null) {
      const cursor = decodeCursor(after, orderBy);
      if (!cursor) throw badUserInput('after is not a cursor from this list and order', { field: 'after' });
      query.andWhere(`(${sort.key}, d.code) ${sort.direction === 'DESC' ? '<' : '>'} (:cKey, :cCode)`, {
        cKey: cursor.key ?? 'infinity',
        cCode: cursor.code,
      });
    }
    const rows = await query.getMany();
    const page = rows.slice(0, first);
    rows.forEach((d) => ctx.loaders.dossier.prime(d.code, d));
    const cursorOf = (d: Dossier) => encodeCursor(orderBy, sort.value(d), d.code);
    return Object.assign(new DossierConnection(), {
      edges: page.map((node) => ({ node, cursor: cursorOf(node) })),
      pageInfo: { hasNextPage: rows.length > first, endCursor: page.length ? cursorOf(page[page.length - 1]) : null },
      count: () => base().getCount(),
    });
  }

  @FieldResolver(() => Applicant)
  applicant(@Root() d: Dossier): Applicant {
    return Object.assign(new Applicant(), d.applicant, { scope: d.scope });
  }

  @FieldResolver(() => Procedure)
  async procedure(@Root() d: Dossier, @Ctx() ctx: Ctx): Promise<Procedure> {
    return (await ctx.loaders.procedure.load(d.procedureCode))!;
  }

  @FieldResolver(() => Department)
  async department(@Root() d: Dossier, @Ctx() ctx: Ctx): Promise<Department> {
    return (await ctx.loaders.department.load(d.departmentCode))!;
  }

  @FieldResolver(() => ProcessingRef, {
    nullable: true,
    description:
      'Processing by the system the dossier was handed to; the concrete type names that system, and the ' +
      'gateway fetches the details from it alone.',
  })
  async processing(@Root() d: Dossier, @Ctx() ctx: Ctx): Promise<unknown> {
    const type = processingTypeFor(d.processingSystem);
    if (type !== ONE_STOP_PROCESSING) return { __typename: type, dossierCode: d.code };
    return ctx.loaders.processing.load(d.code);
  }

  @FieldResolver(() => [DossierEvent], {
    description:
      'Everything that happened to the dossier, in time order, in every system: the register\'s own steps and what ' +
      'the processing system and postal reported through their hand-overs; `system` names where each came from.',
  })
  async timeline(@Root() d: Dossier, @Ctx() ctx: Ctx): Promise<DossierEvent[]> {
    return (await ctx.loaders.events.load(d.code)).map((e) => Object.assign(new DossierEvent(), e, { scope: d.scope }));
  }

  @FieldResolver(() => Deadline, { description: 'Where the dossier stands against its deadline, in working hours.' })
  async deadline(
    @Root() d: Dossier,
    @Arg('at', () => Date, { nullable: true, description: 'As of this instant (the due date and pauses in force then); now when omitted.' }) at: Date | null,
    @Ctx() ctx: Ctx,
  ): Promise<Deadline> {
    const now = new Date();
    if (!at || at >= now) return deadlineOf(d, at ?? now);
    const [events, dueDates] = await Promise.all([ctx.loaders.events.load(d.code), ctx.loaders.dueDates.load(d.code)]);
    return deadlineAt(d, at, events, dueDates);
  }

  @FieldResolver(() => Rating, { nullable: true, description: "The applicant's rating of the service, if any." })
  async rating(@Root() d: Dossier, @Ctx() ctx: Ctx): Promise<Rating | null> {
    const r = await ctx.loaders.rating.load(d.code);
    return r && Object.assign(new Rating(), r, { scope: d.scope });
  }
}
