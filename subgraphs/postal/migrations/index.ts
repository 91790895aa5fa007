import { Initial1795697243165 } from './1795697243165-initial';
import { ShipmentScope1795698509079 } from './1795698509079-shipment-scope';

export const migrations: Function[] = [Initial1795697243165, ShipmentScope1795698509079];
