import { Ctx, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../kit/subgraph';
import { Department } from '../entities/department.entity';
import type { IntakeLoaders } from '../loaders';

@Resolver(() => Department)
export class DepartmentResolver {
  @Query(() => [Department], { description: 'The departments of the province, by name.' })
  departments(@Ctx() ctx: RequestContext<IntakeLoaders>): Promise<Department[]> {
    return ctx.db.getRepository(Department).find({ order: { name: 'ASC' } });
  }
}
