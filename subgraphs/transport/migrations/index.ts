import { Initial1795697243608 } from './1795697243608-initial';

export const migrations: Function[] = [Initial1795697243608];
