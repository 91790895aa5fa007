import { Initial1795697242740 } from './1795697242740-initial';

export const migrations: Function[] = [Initial1795697242740];
