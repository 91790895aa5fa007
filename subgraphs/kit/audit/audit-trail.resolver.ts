import { Ctx, Directive, Field, FieldResolver, ObjectType, Resolver, Root } from 'type-graphql';
import { forbidden } from '../errors';
import type { RequestContext } from '../subgraph';
import { AuditRecord } from './audit-record.entity';

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Each system keeps the audit trail of the personal data it holds and adds it to a dossier's
 * `AuditTrail` under its own name; only centre staff may read it.
 */
export function auditTrailFor(subgraph: string) {
  let made = trails.get(subgraph);
  if (!made) trails.set(subgraph, (made = makeAuditTrail(subgraph)));
  return made;
}

const trails = new Map<string, ReturnType<typeof makeAuditTrail>>();

function makeAuditTrail(subgraph: string) {
  @ObjectType('AuditTrail', { description: "Accesses to a dossier's personal data, per system that holds it." })
  @Directive('@key(fields: "dossierCode")')
  class AuditTrail {
    @Field()
    dossierCode: string;
  }

  @Resolver(() => AuditTrail)
  class AuditTrailResolver {
    @FieldResolver(() => [AuditRecord], {
      name: camel(subgraph),
      description: `Accesses logged by the ${subgraph} system, oldest first.`,
    })
    records(@Root() trail: AuditTrail, @Ctx() ctx: RequestContext<unknown>): Promise<AuditRecord[]> {
      if (ctx.identity.role !== 'CENTRE_STAFF') throw forbidden('only centre staff may read the audit trail');
      return ctx.db.getRepository(AuditRecord).find({ where: { dossierCode: trail.dossierCode }, order: { id: 'ASC' } });
    }
  }

  return {
    type: AuditTrail,
    resolver: AuditTrailResolver,
    reference: { AuditTrail: { __resolveReference: (ref: { dossierCode: string }) => Object.assign(new AuditTrail(), ref) } },
  };
}
