import type { DataSource } from 'typeorm';
import { insertMany } from '../kit/bulk';
import { eventOf } from '../kit/history';
import type { HistoryBatch } from '../kit/subgraph';
import { ShipmentEvent } from './entities/shipment-event.entity';
import { Shipment } from './entities/shipment.entity';
import { ShipmentDirection, ShipmentStatus } from './entities/shipment-status';

const HOUR = 3_600_000;
const OFFICES = ['Bưu cục Nha Trang', 'Bưu cục Cam Ranh', 'Bưu cục Ninh Hòa', 'Bưu cục Diên Khánh', 'Bưu cục Vạn Ninh'];

/** Postal's part of dossier histories: the inbound item of a postal dossier and the outbound result. */
export async function importPostalHistory(db: DataSource, data: HistoryBatch): Promise<number> {
  const shipments: Partial<Shipment>[] = [];
  const events: Partial<ShipmentEvent>[] = [];
  const track = (s: Partial<Shipment>, steps: [ShipmentStatus, Date][]) => {
    shipments.push({ ...s, status: steps[steps.length - 1][0] });
    const office = OFFICES[s.trackingNumber!.charCodeAt(9) % OFFICES.length];
    steps.forEach(([status, at]) =>
      events.push({ shipment: { trackingNumber: s.trackingNumber } as Shipment, status, at, location: office }),
    );
  };
  for (const h of data.dossiers) {
    const person = {
      recipientName: h.applicant.fullName,
      phone: h.applicant.phone,
      departmentCode: h.departmentCode,
      applicantIdNumber: h.applicant.idNumber,
    };
    if (h.inbound) {
      const { trackingNumber, postedAt, deliveredAt } = h.inbound;
      track(
        { trackingNumber, dossierCode: h.code, direction: ShipmentDirection.INBOUND, ...person,
          recipientName: 'Trung tâm Phục vụ hành chính công tỉnh', address: h.applicant.address ?? '', postedAt, deliveredAt },
        [
          [ShipmentStatus.ACCEPTED, postedAt],
          [ShipmentStatus.IN_TRANSIT, new Date(postedAt.getTime() + 3 * HOUR)],
          [ShipmentStatus.DELIVERED, deliveredAt],
        ],
      );
    }
    const returned = eventOf(h, 'RESULT_RETURNED');
    if (returned?.channel === 'POSTAL' && returned.trackingNumber) {
      const deliveredAt = returned.deliveredAt ?? null;
      const steps: [ShipmentStatus, Date][] = [
        [ShipmentStatus.ACCEPTED, returned.at],
        [ShipmentStatus.IN_TRANSIT, new Date(returned.at.getTime() + 2 * HOUR)],
      ];
      if (deliveredAt) {
        steps.push([ShipmentStatus.OUT_FOR_DELIVERY, new Date(deliveredAt.getTime() - 3 * HOUR)], [ShipmentStatus.DELIVERED, deliveredAt]);
      }
      track(
        { trackingNumber: returned.trackingNumber, dossierCode: h.code, direction: ShipmentDirection.OUTBOUND, ...person,
          address: h.applicant.address ?? '', postedAt: returned.at, deliveredAt },
        steps,
      );
    }
  }
  return db.transaction(async (m) => {
    const inserted = await insertMany(m, Shipment, shipments);
    await insertMany(m, ShipmentEvent, events, 1000);
    return inserted;
  });
}
