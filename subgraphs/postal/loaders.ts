import type { DataSource } from 'typeorm';
import { groupLoader, rowLoader } from '../kit/loaders';
import { ShipmentEvent } from './entities/shipment-event.entity';
import { Shipment } from './entities/shipment.entity';

export function createPostalLoaders(db: DataSource) {
  return {
    shipment: rowLoader(db, Shipment, 'trackingNumber'),
    shipmentsByDossier: groupLoader(db, Shipment, 'dossierCode', 'postedAt'),
    events: groupLoader(db, ShipmentEvent, 'shipment', 'at', 'shipmentTrackingNumber'),
  };
}

export type PostalLoaders = ReturnType<typeof createPostalLoaders>;
