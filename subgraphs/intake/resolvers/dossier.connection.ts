import { Field, ObjectType } from 'type-graphql';
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
}

/** Opaque to clients: the position (received at, code) of the last dossier seen. */
export function encodeCursor(d: Pick<Dossier, 'receivedAt' | 'code'>): string {
  return Buffer.from(JSON.stringify([d.receivedAt.toISOString(), d.code])).toString('base64url');
}

export function decodeCursor(cursor: string): { receivedAt: Date; code: string } | null {
  try {
    const [at, code] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const receivedAt = new Date(at);
    if (typeof code !== 'string' || typeof at !== 'string' || Number.isNaN(receivedAt.getTime())) return null;
    return { receivedAt, code };
  } catch {
    return null;
  }
}

