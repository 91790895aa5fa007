import { registerEnumType } from 'type-graphql';

export enum ShipmentDirection {
  INBOUND = 'INBOUND',
  OUTBOUND = 'OUTBOUND',
}
registerEnumType(ShipmentDirection, {
  name: 'ShipmentDirection',
  valuesConfig: {
    INBOUND: { description: 'A dossier from the applicant to the centre.' },
    OUTBOUND: { description: 'A result from the centre to the applicant.' },
  },
});

export enum ShipmentStatus {
  ACCEPTED = 'ACCEPTED',
  IN_TRANSIT = 'IN_TRANSIT',
  OUT_FOR_DELIVERY = 'OUT_FOR_DELIVERY',
  DELIVERED = 'DELIVERED',
  FAILED_ATTEMPT = 'FAILED_ATTEMPT',
  RETURNED_TO_SENDER = 'RETURNED_TO_SENDER',
}
registerEnumType(ShipmentStatus, { name: 'ShipmentStatus' });
