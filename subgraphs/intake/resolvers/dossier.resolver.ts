import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { guard } from '../../kit/access';
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
import { DossierConnection, decodeCursor, encodeCursor, MAX_PAGE } from './dossier.connection';

type Ctx = RequestContext<IntakeLoaders>;

/** Roles that may be told a dossier does not exist. */
const SEES_ALL = new Set(['CENTRE_STAFF', 'REPORT_BUILDER', 'SERVICE']);

@Resolver(() => Dossier)
export class DossierResolver {
  @Query(() => Dossier, {
    nullable: true,
    description:
      'A dossier by its code; null when there is none. Officers and citizens get FORBIDDEN for any dossier ' +
      'outside their scope, whether or not it exists.',
  })
  async dossier(@Arg('code') code: string, @Ctx() ctx: Ctx): Promise<Dossier | null> {
    if (!isDossierCode(code)) throw badUserInput('code is not a dossier code (<unit>-<yyMMdd>-<NNNN>)', { field: 'code' });
    const row = await ctx.loaders.dossier.load(code);
    if (!row && !SEES_ALL.has(ctx.identity.role)) throw forbidden(`access denied to dossier ${code}`);
    return row && guard(ctx, row.scope) && row;
  }

  @Query(() => DossierConnection, { description: `Dossiers, newest received first; at most ${MAX_PAGE} a page.` })
  async dossiers(
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: Ctx,
  ): Promise<DossierConnection> {
    if (first < 1 || first > MAX_PAGE) throw badUserInput(`first must be between 1 and ${MAX_PAGE}`, { field: 'first' });
    const who = ctx.identity;
    if (who.role === 'ANONYMOUS') throw forbidden('sign in to list dossiers');
    const query = ctx.db
      .getRepository(Dossier)
      .createQueryBuilder('d')
      .orderBy('d.receivedAt', 'DESC')
      .addOrderBy('d.code', 'DESC')
      .limit(first + 1);
    if (after != null) {
      const cursor = decodeCursor(after);
      if (!cursor) throw badUserInput('after is not a cursor from this list', { field: 'after' });
      query.andWhere('(d.receivedAt, d.code) < (:at, :code)', { at: cursor.receivedAt, code: cursor.code });
    }
    if (who.role === 'DEPARTMENT_OFFICER') query.andWhere('d.department = :department', { department: who.department });
    if (who.role === 'CITIZEN') query.andWhere('d.applicant.idNumber = :citizenId', { citizenId: who.citizenId });
    const rows = await query.getMany();
    const page = rows.slice(0, first);
    rows.forEach((d) => ctx.loaders.dossier.prime(d.code, d));
    return Object.assign(new DossierConnection(), {
      edges: page.map((node) => ({ node, cursor: encodeCursor(node) })),
      pageInfo: { hasNextPage: rows.length > first, endCursor: page.length ? encodeCursor(page[page.length - 1]) : null },
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

  @FieldResolver(() => Rating, { nullable: true, description: "The applicant's rating of the service, if any." })
  rating(@Root() d: Dossier, @Ctx() ctx: Ctx): Promise<Rating | null> {
    return ctx.loaders.rating.load(d.code);
  }
}
