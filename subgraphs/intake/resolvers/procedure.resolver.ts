import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { badUserInput } from '../../kit/errors';
import type { RequestContext } from '../../kit/subgraph';
import { Department } from '../entities/department.entity';
import { Procedure } from '../entities/procedure.entity';
import type { IntakeLoaders } from '../loaders';

@Resolver(() => Procedure)
export class ProcedureResolver {
  @Query(() => [Procedure], { description: "The procedure catalogue, or one department's part of it, by code; retired procedures only when asked." })
  async procedures(
    @Arg('departmentCode', () => String, { nullable: true }) departmentCode: string | null,
    @Arg('includeRetired', { defaultValue: false }) includeRetired: boolean,
    @Ctx() ctx: RequestContext<IntakeLoaders>,
  ): Promise<Procedure[]> {
    const query = ctx.db.getRepository(Procedure).createQueryBuilder('p').orderBy('p.code', 'ASC');
    if (!includeRetired) query.andWhere('p.retiredAt IS NULL');
    if (departmentCode != null) {
      if (!(await ctx.loaders.department.load(departmentCode))) {
        throw badUserInput(`no department with code "${departmentCode.slice(0, 16)}"`, { field: 'departmentCode' });
      }
      query.andWhere('p.department = :departmentCode', { departmentCode });
    }
    return query.getMany();
  }

  @FieldResolver(() => Department)
  async department(@Root() p: Procedure, @Ctx() ctx: RequestContext<IntakeLoaders>): Promise<Department> {
    return (await ctx.loaders.department.load(p.departmentCode))!;
  }
}
