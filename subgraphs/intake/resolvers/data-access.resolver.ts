import { Arg, Ctx, Field, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { forbidden } from '../../kit/errors';
import type { Identity } from '../../kit/identity';
import type { RequestContext } from '../../kit/subgraph';
import { citizenAccesses, decodeCursor, encodeCursor, pageSize } from '../data-access.store';

/**
 * One access to the caller's own personal data, as a citizen may see it: which system, which role and
 * department, never which officer (the subject stays in the audit of the system that logged it).
 */
@ObjectType({ description: "An access to the caller's personal data, from the audit of the system that holds it." })
export class DataAccess {
  @Field(() => Date)
  at: Date;

  @Field({ description: 'The system that logged the access (a registry name: intake, postal, transport, police, industry-trade).' })
  system: string;

  @Field({ description: 'The role of whoever accessed the data; never their identity.' })
  role: string;

  @Field(() => String, { nullable: true, description: "The accessing officer's department, for department officers." })
  departmentCode: string | null;

  @Field(() => [String], { description: 'The personal fields read or written.' })
  fields: string[];

  @Field({ description: 'READ or WRITE.' })
  operation: string;

  @Field()
  dossierCode: string;

  @Field({ description: 'Pass as `after` to get the accesses older than this one.' })
  cursor: string;
}

/** Only the data subject, and only through the identity the gateway signed: no argument names the person. */
function citizenOf(identity: Identity): string {
  if (identity.role !== 'CITIZEN' || !identity.citizenId) throw forbidden('only a citizen may read the accesses to their own data');
  return identity.citizenId;
}

@Resolver()
export class DataAccessResolver {
  @Query(() => [DataAccess], {
    description:
      'Who read or changed the personal data of the calling citizen, in every system, newest first (by time, then ' +
      'system, then record): the role and department, never the officer. Citizens only; the person is the one the ' +
      "token names. The other systems' accesses are listed once their audit has shipped them to the register, " +
      'about a second after they happen.',
  })
  async myDataAccesses(
    @Arg('first', () => Int, { nullable: true, description: `At most 100; 20 when left out.` }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'The `cursor` of the last access of the page before.' }) after: string | null,
    @Ctx() ctx: RequestContext<unknown>,
  ): Promise<DataAccess[]> {
    const citizenId = citizenOf(ctx.identity);
    const rows = await citizenAccesses(ctx.db.manager, citizenId, pageSize(first), after ? decodeCursor(after) : null);
    return rows.map((r) =>
      Object.assign(new DataAccess(), {
        at: new Date(r.at),
        system: r.system,
        role: r.role,
        departmentCode: r.department,
        fields: r.fields,
        operation: r.operation,
        dossierCode: r.dossier_code,
        cursor: encodeCursor({ at: r.at, system: r.system, id: r.id }),
      }),
    );
  }
}
