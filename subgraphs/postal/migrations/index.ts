import { Initial1795697243165 } from './1795697243165-initial';

export const migrations: Function[] = [Initial1795697243165];
