import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { auditTrailFor } from '../../kit/audit/audit-trail.resolver';
import { badUserInput, forbidden } from '../../kit/errors';
import { isDossierCode } from '../../kit/dossier-code';
import type { RequestContext } from '../../kit/subgraph';

const { type: AuditTrail } = auditTrailFor('intake');

@Resolver()
export class AuditQueryResolver {
  @Query(() => AuditTrail, {
    description: "Who read or changed a dossier's personal data, in every system that holds it. Centre staff only.",
  })
  auditTrail(@Arg('dossierCode') dossierCode: string, @Ctx() ctx: RequestContext<unknown>): InstanceType<typeof AuditTrail> {
    if (ctx.identity.role !== 'CENTRE_STAFF') throw forbidden('only centre staff may read the audit trail');
    if (!isDossierCode(dossierCode)) throw badUserInput('dossierCode is not a dossier code', { field: 'dossierCode' });
    return Object.assign(new AuditTrail(), { dossierCode });
  }
}
