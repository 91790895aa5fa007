import DataLoader from 'dataloader';
import { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * One statement per batch (`column = ANY($1)`), whatever the number of keys, so a page costs the same
 * SQL whatever its size. Loaders live for one request: no caller ever sees rows cached for another.
 */
export function rowLoader<T extends ObjectLiteral>(
  ds: DataSource,
  entity: EntityTarget<T>,
  column: keyof T & string,
  key: keyof T & string = column,
): DataLoader<string, T | null> {
  return new DataLoader(async (keys) => {
    const rows = await ds
      .getRepository(entity)
      .createQueryBuilder('e')
      .where(`e.${column} = ANY(:keys)`, { keys: [...keys] })
      .getMany();
    const byKey = new Map(rows.map((r) => [String(r[key]), r]));
    return keys.map((k) => byKey.get(k) ?? null);
  });
}

/**
 * Rows grouped by a column, in `orderBy` order within each group; one statement per batch. For a
 * many-to-one, `column` is the relation and `key` its @RelationId.
 */
export function groupLoader<T extends ObjectLiteral>(
  ds: DataSource,
  entity: EntityTarget<T>,
  column: keyof T & string,
  orderBy: string,
  key: keyof T & string = column,
): DataLoader<string, T[]> {
  // Rows with the same `orderBy` (a dossier received and handed over in the same instant) keep the order
  // they were written in: the primary key breaks ties, so every read tells a history the same way.
  const ties = ds.getMetadata(entity).primaryColumns.map((c) => c.propertyName);
  return new DataLoader(async (keys) => {
    const query = ds
      .getRepository(entity)
      .createQueryBuilder('e')
      .where(`e.${column} = ANY(:keys)`, { keys: [...keys] })
      .orderBy(`e.${orderBy}`, 'ASC');
    for (const tie of ties) query.addOrderBy(`e.${tie}`, 'ASC');
    const rows = await query.getMany();
    const groups = new Map<string, T[]>(keys.map((k) => [k, []]));
    for (const r of rows) groups.get(String(r[key]))?.push(r);
    return keys.map((k) => groups.get(k)!);
  });
}
