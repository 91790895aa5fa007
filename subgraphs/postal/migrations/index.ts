import { Initial1795697243165 } from './1795697243165-initial';
import { ShipmentScope1795698509079 } from './1795698509079-shipment-scope';
import { ItemSerial1795699600000 } from './1795699600000-item-serial';
import { ShipmentApplicantIndex1795702561206 } from './1795702561206-shipment-applicant-index';
import { DropShipmentApplicantIndex1797000000001 } from './1797000000001-drop-shipment-applicant-index';

export const migrations: Function[] = [Initial1795697243165, ShipmentScope1795698509079, ItemSerial1795699600000, ShipmentApplicantIndex1795702561206, DropShipmentApplicantIndex1797000000001];
