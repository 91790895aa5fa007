import { guard } from '../kit/access';
import type { RequestContext, SubgraphModule } from '../kit/subgraph';
import { ShipmentEvent } from './entities/shipment-event.entity';
import { Shipment } from './entities/shipment.entity';
import { createPostalLoaders, PostalLoaders } from './loaders';
import { importPostalHistory } from './history.import';
import { migrations } from './migrations';
import { postalHandlers } from './shipments';
import { DossierShipmentsResolver, ShipmentResolver } from './resolvers/shipment.resolver';

type Ctx = RequestContext<PostalLoaders>;

const postal: SubgraphModule<PostalLoaders> = {
  name: 'postal',
  entities: [Shipment, ShipmentEvent],
  migrations: [...migrations],
  resolvers: [ShipmentResolver, DossierShipmentsResolver],
  referenceResolvers: {
    Dossier: { __resolveReference: (ref: { code: string }) => ref },
    Shipment: {
      __resolveReference: async (ref: { trackingNumber: string }, ctx: Ctx) => guard(ctx, await ctx.loaders.shipment.load(ref.trackingNumber)),
    },
  },
  handlers: postalHandlers,
  createLoaders: createPostalLoaders,
  importHistory: importPostalHistory,
};

export default postal;
