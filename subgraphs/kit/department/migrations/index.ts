import { ProcessingTables1795697237354 } from './1795697237354-processing-tables';

/** The kit's tables, applied before a department's own migrations. */
export const kitMigrations: Function[] = [ProcessingTables1795697237354];
