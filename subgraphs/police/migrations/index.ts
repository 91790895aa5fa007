import { Initial1795697244219 } from './1795697244219-initial';

export const migrations: Function[] = [Initial1795697244219];
