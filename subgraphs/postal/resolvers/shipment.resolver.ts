import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { guard } from '../../kit/access';
import { badUserInput } from '../../kit/errors';
import type { RequestContext } from '../../kit/subgraph';
import { Dossier } from '../entities/dossier';
import { ShipmentEvent } from '../entities/shipment-event.entity';
import { Shipment } from '../entities/shipment.entity';
import type { PostalLoaders } from '../loaders';
import { isTrackingNumber } from '../tracking-number';

type Ctx = RequestContext<PostalLoaders>;

@Resolver(() => Shipment)
export class ShipmentResolver {
  @Query(() => Shipment, { nullable: true, description: 'A postal item by its tracking number.' })
  async shipment(@Arg('trackingNumber') trackingNumber: string, @Ctx() ctx: Ctx): Promise<Shipment | null> {
    if (!isTrackingNumber(trackingNumber)) {
      throw badUserInput('trackingNumber is not a valid S10 item number', { field: 'trackingNumber' });
    }
    return guard(ctx, await ctx.loaders.shipment.load(trackingNumber));
  }

  @FieldResolver(() => [ShipmentEvent], { description: 'Status events, oldest first.' })
  events(@Root() s: Shipment, @Ctx() ctx: Ctx): Promise<ShipmentEvent[]> {
    return ctx.loaders.events.load(s.trackingNumber);
  }

  @FieldResolver(() => Dossier)
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
