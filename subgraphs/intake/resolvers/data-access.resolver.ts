import { Arg, Ctx, Directive, Field, FieldResolver, ID, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import {
  camel,
  citizenAccesses,
  citizenOf,
  DATA_ACCESS_SELECTION,
  DataAccess,
  mergeAccesses,
  pageKey,
  parsePageKey,
  type AccessPage,
} from '../../kit/audit/data-access';
import { unavailable } from '../../kit/errors';
import type { RequestContext } from '../../kit/subgraph';
import { SUBGRAPHS } from '../../registry';

const OTHER_SYSTEMS = SUBGRAPHS.map((s) => s.name).filter((n) => n !== 'intake');
const INTAKE_DOSSIERS = 'SELECT code FROM dossier WHERE applicant_id_number = $1';
const REQUIRES_PARTS = `@requires(fields: "${OTHER_SYSTEMS.map((n) => `${camel(n)} { ${DATA_ACCESS_SELECTION} }`).join(' ')}")`;

type Parts = Partial<Record<string, DataAccess[]>>;

/**
 * The citizen's view of who accessed their data. Each system answers its own newest accesses in the
 * page's window (the key carries first and after); the register adds its own and merges them newest first.
 */
@ObjectType('DataAccessPage', { description: "A page of the accesses to the caller's personal data, across every system." })
@Directive('@key(fields: "id")')
export class DataAccessPage {
  @Field(() => ID, { description: 'The page: its size and where it starts.' })
  id: string;

  merged?: Promise<AccessPage>;
}

for (const name of OTHER_SYSTEMS) {
  Field(() => [DataAccess], { description: `The ${name} system's part of this page, before the merge.` })(DataAccessPage.prototype, camel(name));
  Directive('@external')(DataAccessPage.prototype, camel(name));
}

type Ctx = RequestContext<unknown>;

function mergedPage(page: DataAccessPage, ctx: Ctx): Promise<AccessPage> {
  page.merged ??= (async () => {
    const window = parsePageKey(page.id);
    const own = await citizenAccesses(ctx.db, 'intake', INTAKE_DOSSIERS, citizenOf(ctx.identity), window);
    const parts = OTHER_SYSTEMS.map((n) => (page as DataAccessPage & Parts)[camel(n)]);
    // A page without one system's part would pass an incomplete list off as whole.
    const missing = OTHER_SYSTEMS.filter((_, i) => !parts[i]);
    if (missing.length) throw unavailable(`the accesses logged by ${missing.join(', ')} did not arrive; try again later`);
    return mergeAccesses([own, ...(parts as DataAccess[][])], window.first);
  })();
  return page.merged;
}

@Resolver(() => DataAccessPage)
export class DataAccessResolver {
  @Query(() => DataAccessPage, {
    description:
      'Who read or changed the personal data of the calling citizen, in every system, newest first: the role and ' +
      'department, never the officer. Citizens only; the person is the one the token names.',
  })
  myDataAccesses(
    @Arg('first', () => Int, { nullable: true, description: 'At most 100; 20 when left out.' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'The cursor of the last access of the page before.' }) after: string | null,
    @Ctx() ctx: Ctx,
  ): DataAccessPage {
    citizenOf(ctx.identity);
    return Object.assign(new DataAccessPage(), { id: pageKey(first, after) });
  }

  @FieldResolver(() => [DataAccess], { description: 'The accesses of this page, newest first (by time, then system, then record).' })
  @Directive(REQUIRES_PARTS)
  async accesses(@Root() page: DataAccessPage, @Ctx() ctx: Ctx): Promise<DataAccess[]> {
    return (await mergedPage(page, ctx)).accesses;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Pass as `after` for the next page; null when the page is empty.' })
  @Directive(REQUIRES_PARTS)
  async endCursor(@Root() page: DataAccessPage, @Ctx() ctx: Ctx): Promise<string | null> {
    return (await mergedPage(page, ctx)).accesses.at(-1)?.cursor ?? null;
  }

  @FieldResolver(() => Boolean)
  @Directive(REQUIRES_PARTS)
  async hasNextPage(@Root() page: DataAccessPage, @Ctx() ctx: Ctx): Promise<boolean> {
    return (await mergedPage(page, ctx)).hasNextPage;
  }
}

export const dataAccessReferences = {
  DataAccessPage: {
    __resolveReference(ref: { id: string } & Parts, ctx: Ctx) {
      citizenOf(ctx.identity);
      return Object.assign(new DataAccessPage(), ref);
    },
  },
};
