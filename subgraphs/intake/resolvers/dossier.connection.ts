import { Ctx, Field, FieldResolver, Int, ObjectType, Resolver, Root } from 'type-graphql';
import { Dossier } from '../entities/dossier.entity';

export const MAX_PAGE = 100;

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage: boolean;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

@ObjectType()
export class DossierEdge {
  @Field()
  cursor: string;

  @Field(() => Dossier)
  node: Dossier;
}

@ObjectType({ description: 'A page of dossiers (Relay cursor connection).' })
export class DossierConnection {
  @Field(() => [DossierEdge])
  edges: DossierEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  /** Counts the whole filtered list, only when asked for. */
  count: () => Promise<number>;
}

/** Opaque to clients: the order and the position (sort key, code) of the last dossier seen. */
export function encodeCursor(order: string, key: Date | null, code: string): string {
  return Buffer.from(JSON.stringify([order, key?.toISOString() ?? null, code])).toString('base64url');
}

export function decodeCursor(cursor: string, order: string): { key: Date | null; code: string } | null {
  try {
    const [o, at, code] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (o !== order || typeof code !== 'string' || (at !== null && typeof at !== 'string')) return null;
    const key = at === null ? null : new Date(at);
    if (key && Number.isNaN(key.getTime())) return null;
    return { key, code };
  } catch {
    return null;
  }
}


@Resolver(() => DossierConnection)
export class DossierConnectionResolver {
  @FieldResolver(() => Int, { description: 'How many dossiers the filter matches, across all pages (counted only when asked).' })
  totalCount(@Root() c: DossierConnection, @Ctx() _ctx: unknown): Promise<number> {
    return c.count();
  }
}
