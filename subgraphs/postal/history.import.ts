import type { DataSource } from 'typeorm';
import { existingKeys, insertMany } from '../kit/bulk';
import { formatTrackingNumber } from './tracking-number';
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
    const item = { ...s, status: steps[steps.length - 1][0] };
    shipments.push(item);
    const office = OFFICES[(s.trackingNumber ?? s.dossierCode!).charCodeAt(9) % OFFICES.length];
    // Until it is numbered, an event points at its item itself.
    steps.forEach(([status, at]) =>
      events.push({ shipment: (s.trackingNumber ? { trackingNumber: s.trackingNumber } : item) as Shipment, status, at, location: office }),
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
    if (returned?.channel === 'POSTAL') {
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
    // Results returned by post in an import carry no item number: postal numbers them, once per dossier.
    const unnumbered = shipments.filter((s) => !s.trackingNumber);
    const posted = await existingKeys(m, 'shipment', 'dossier_code', unnumbered.map((s) => s.dossierCode!));
    for (const s of unnumbered) {
      if (posted.has(s.dossierCode!)) continue;
      const [{ serial }] = await m.query(`SELECT nextval('postal_item_serial')::int AS serial`);
      const number = formatTrackingNumber('RE', serial);
      events.filter((e) => e.shipment === (s as unknown)).forEach((e) => (e.shipment = { trackingNumber: number } as Shipment));
      s.trackingNumber = number;
    }
    const numbered = shipments.filter((s) => s.trackingNumber);
    const known = await existingKeys(m, 'shipment', 'tracking_number', numbered.map((s) => s.trackingNumber!));
    const fresh = numbered.filter((s) => !known.has(s.trackingNumber!));
    const freshNumbers = new Set(fresh.map((s) => s.trackingNumber));
    const inserted = await insertMany(m, Shipment, fresh);
    await insertMany(m, ShipmentEvent, events.filter((e) => freshNumbers.has(e.shipment!.trackingNumber)), 1000);
    return inserted;
  });
}
