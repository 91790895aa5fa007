import { Arg, ClassType, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type DataLoader from 'dataloader';
import { guard } from '../access';
import { badUserInput } from '../errors';
import { isDossierCode } from '../dossier-code';
import type { RequestContext } from '../subgraph';
import type { ProcessingRecord } from './processing.record';
import { StatusChange } from './status-change.entity';

export interface ProcessingLoaders<T> {
  processing: DataLoader<string, T | null>;
  history: DataLoader<string, StatusChange[]>;
}

const lowerFirst = (s: string) => s[0].toLowerCase() + s.slice(1);

/** The resolver every processing type shares: its root lookup and its history, both batched. */
export function processingResolver<T extends ProcessingRecord>(entity: ClassType<T>, typeName: string) {
  @Resolver(() => entity)
  class ProcessingResolver {
    @Query(() => entity, {
      name: lowerFirst(typeName),
      nullable: true,
      description: `This system's processing record of a dossier; null when it has none.`,
    })
    async processing(
      @Arg('dossierCode') dossierCode: string,
      @Ctx() ctx: RequestContext<ProcessingLoaders<T>>,
    ): Promise<T | null> {
      if (!isDossierCode(dossierCode)) throw badUserInput('dossierCode is not a dossier code', { field: 'dossierCode' });
      return guard(ctx, await ctx.loaders.processing.load(dossierCode));
    }

    @FieldResolver(() => [StatusChange])
    history(@Root() p: T, @Ctx() ctx: RequestContext<ProcessingLoaders<T>>): Promise<StatusChange[]> {
      return ctx.loaders.history.load(p.dossierCode);
    }
  }
  return ProcessingResolver;
}

export function processingReference<T extends ProcessingRecord>(typeName: string) {
  return {
    [typeName]: {
      async __resolveReference(ref: { dossierCode: string }, ctx: RequestContext<ProcessingLoaders<T>>) {
        return guard(ctx, await ctx.loaders.processing.load(ref.dossierCode));
      },
    },
  };
}
