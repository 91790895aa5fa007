import { Initial1795697244690 } from './1795697244690-initial';

export const migrations: Function[] = [Initial1795697244690];
