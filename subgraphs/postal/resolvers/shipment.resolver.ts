import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root, UseMiddleware } from 'type-graphql';
import { onceFor } from '../../kit/messaging/idempotency';
import { ShipmentStatus } from '../entities/shipment-status';
import { recordEvent } from '../shipments';
import { guard, scopeOf } from '../../kit/access';
import { badUserInput, forbidden, notFound } from '../../kit/errors';
import type { RequestContext } from '../../kit/subgraph';
import { Dossier } from '../entities/dossier';
import { ShipmentEvent } from '../entities/shipment-event.entity';
import { DossierFact, Shipment } from '../entities/shipment.entity';
import { refusePersonalData } from '../../kit/free-text';
import type { PostalLoaders } from '../loaders';
import { isTrackingNumber } from '../tracking-number';

type Ctx = RequestContext<PostalLoaders>;

@Resolver(() => Shipment)
export class ShipmentResolver {
  @Query(() => Shipment, {
    nullable: true,
    description: 'A postal item by its tracking number: its status and events for anyone, the rest for those who may see its dossier.',
  })
  async shipment(@Arg('trackingNumber') trackingNumber: string, @Ctx() ctx: Ctx): Promise<Shipment | null> {
    if (!isTrackingNumber(trackingNumber)) {
      throw badUserInput('trackingNumber is not a valid S10 item number', { field: 'trackingNumber' });
    }
    return ctx.loaders.shipment.load(trackingNumber);
  }

  @Mutation(() => Shipment, {
    description: 'A status event of a postal item, as the postal service reports it (SERVICE) or centre staff record it.',
  })
  async recordShipmentEvent(
    @Arg('trackingNumber') trackingNumber: string,
    @Arg('status', () => ShipmentStatus) status: ShipmentStatus,
    @Arg('at', () => Date, { nullable: true }) at: Date | null,
    @Arg('location', () => String, { nullable: true }) location: string | null,
    @Arg('idempotencyKey', () => String, { nullable: true }) key: string | null,
    @Ctx() ctx: Ctx,
  ): Promise<Shipment> {
    if (!['SERVICE', 'CENTRE_STAFF'].includes(ctx.identity.role)) throw forbidden('postal events come from the postal service');
    if (!isTrackingNumber(trackingNumber)) throw badUserInput('trackingNumber is not a valid S10 item number', { field: 'trackingNumber' });
    const when = at ?? new Date();
    if (when.getTime() > Date.now() + 60_000) throw badUserInput('at cannot be in the future', { field: 'at' });
    if (location && location.length > 120) throw badUserInput('location: at most 120 characters', { field: 'location' });
    refusePersonalData('location', location);
    const item = await ctx.db.transaction((m) =>
      onceFor(m, ctx.identity, key, 'recordShipmentEvent', { trackingNumber, status, at: when.toISOString(), location }, async () => {
        const found = await m.getRepository(Shipment).findOne({ where: { trackingNumber }, lock: { mode: 'pessimistic_write' } });
        if (!found) throw notFound(`no postal item ${trackingNumber}`);
        const result = await recordEvent(m, found, status, when, location);
        await ctx.audit.writeIn(m, scopeOf(found));
        return { result, ref: trackingNumber };
      }, (t) => m.getRepository(Shipment).findOneByOrFail({ trackingNumber: t })),
    );
    await ctx.dispatch();
    return item;
  }

  @FieldResolver(() => [ShipmentEvent], { description: 'Status events, oldest first.' })
  events(@Root() s: Shipment, @Ctx() ctx: Ctx): Promise<ShipmentEvent[]> {
    return ctx.loaders.events.load(s.trackingNumber);
  }

  @FieldResolver(() => Dossier)
  @UseMiddleware(DossierFact)
  dossier(@Root() s: Shipment): Dossier {
    return Object.assign(new Dossier(), { code: s.dossierCode });
  }
}

@Resolver(() => Dossier)
export class DossierShipmentsResolver {
  @FieldResolver(() => [Shipment], { description: 'Postal items for the dossier, both ways, oldest first.' })
  async shipments(@Root() d: Dossier, @Ctx() ctx: Ctx): Promise<Shipment[]> {
    return (await ctx.loaders.shipmentsByDossier.load(d.code)).map((s) => guard(ctx, s)!);
  }
}
