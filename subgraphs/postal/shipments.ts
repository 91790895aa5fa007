import type { EntityManager } from 'typeorm';
import { conflict } from '../kit/errors';
import type { Handler } from '../kit/messaging/handover';
import { enqueue } from '../kit/messaging/outbox';
import { ShipmentEvent } from './entities/shipment-event.entity';
import { Shipment } from './entities/shipment.entity';
import { ShipmentDirection, ShipmentStatus as S } from './entities/shipment-status';
import { formatTrackingNumber } from './tracking-number';

/** Which status may follow which: an item is accepted, travels, is delivered or goes back. */
export const NEXT: Record<S, S[]> = {
  [S.ACCEPTED]: [S.IN_TRANSIT],
  [S.IN_TRANSIT]: [S.OUT_FOR_DELIVERY, S.RETURNED_TO_SENDER],
  [S.OUT_FOR_DELIVERY]: [S.DELIVERED, S.FAILED_ATTEMPT],
  [S.FAILED_ATTEMPT]: [S.OUT_FOR_DELIVERY, S.RETURNED_TO_SENDER],
  [S.DELIVERED]: [],
  [S.RETURNED_TO_SENDER]: [],
};

/** Writes an item's status event and tells the centre's register, in the caller's transaction. */
async function logEvent(m: EntityManager, item: Shipment, status: S, at: Date, location: string | null): Promise<void> {
  await m.getRepository(ShipmentEvent).insert({ shipment: { trackingNumber: item.trackingNumber } as Shipment, status, at, location });
  await enqueue(m, [{
    destination: 'intake',
    dossierCode: item.dossierCode,
    type: 'SHIPMENT',
    payload: { trackingNumber: item.trackingNumber, direction: item.direction, status, at: at.toISOString(), location },
  }]);
}

/** Moves an item to its next status (NEXT), records the event and tells the register. */
export async function recordEvent(m: EntityManager, item: Shipment, status: S, at: Date, location: string | null): Promise<Shipment> {
  if (item.status !== status && !NEXT[item.status].includes(status)) {
    throw conflict(`item ${item.trackingNumber} is ${item.status}: next can be ${NEXT[item.status].join(' or ') || 'nothing'}`, { currentStatus: item.status });
  }
  item.status = status;
  if (status === S.DELIVERED) item.deliveredAt = at;
  await m.getRepository(Shipment).update({ trackingNumber: item.trackingNumber }, { status, deliveredAt: item.deliveredAt });
  await logEvent(m, item, status, at, location);
  return item;
}

export const postalHandlers: Record<string, Handler> = {
  /** The centre registered a dossier that came by post: the item is delivered, and now belongs to the dossier. */
  async INBOUND_RECEIVED(m, msg) {
    const p = msg.payload;
    const at = new Date(p.at);
    const repo = m.getRepository(Shipment);
    const existing = await repo.findOne({ where: { trackingNumber: p.trackingNumber }, lock: { mode: 'pessimistic_write' } });
    if (existing) {
      await repo.update({ trackingNumber: p.trackingNumber }, { dossierCode: msg.dossierCode, departmentCode: p.departmentCode, applicantIdNumber: p.applicantIdNumber });
      if (existing.status !== S.DELIVERED) await recordEvent(m, Object.assign(existing, { dossierCode: msg.dossierCode }), S.DELIVERED, at, null);
      return;
    }
    const item = repo.create({
      trackingNumber: p.trackingNumber,
      dossierCode: msg.dossierCode,
      direction: ShipmentDirection.INBOUND,
      status: S.DELIVERED,
      recipientName: 'Trung tâm Phục vụ hành chính công tỉnh',
      address: p.address,
      phone: p.phone ?? null,
      postedAt: at,
      deliveredAt: at,
      departmentCode: p.departmentCode ?? null,
      applicantIdNumber: p.applicantIdNumber ?? null,
    });
    await repo.insert(item);
    await logEvent(m, item, S.DELIVERED, at, null);
  },

  /** The centre hands a result to the post: a new outbound item, accepted at the centre's counter. */
  async OUTBOUND(m, msg) {
    const p = msg.payload;
    const [{ serial }] = await m.query(`SELECT nextval('postal_item_serial')::int AS serial`);
    const at = new Date(p.at);
    const item = m.getRepository(Shipment).create({
      trackingNumber: formatTrackingNumber('RE', serial),
      dossierCode: msg.dossierCode,
      direction: ShipmentDirection.OUTBOUND,
      status: S.ACCEPTED,
      recipientName: p.recipientName,
      address: p.address,
      phone: p.phone ?? null,
      postedAt: at,
      deliveredAt: null,
      departmentCode: p.departmentCode ?? null,
      applicantIdNumber: p.applicantIdNumber ?? null,
    });
    await m.getRepository(Shipment).insert(item);
    await logEvent(m, item, S.ACCEPTED, at, 'Bưu cục Trung tâm Phục vụ hành chính công');
  },
};
