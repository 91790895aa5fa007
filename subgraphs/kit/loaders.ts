import DataLoader from 'dataloader';
import { DataSource, EntityTarget, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { namedQuery } from './data-source';
import { RawSqlResultsToEntityTransformer } from 'typeorm/query-builder/transformer/RawSqlResultsToEntityTransformer';
import { RelationIdLoader } from 'typeorm/query-builder/relation-id/RelationIdLoader';
import { RelationIdMetadataToAttributeTransformer } from 'typeorm/query-builder/relation-id/RelationIdMetadataToAttributeTransformer';

type Select<T> = (keys: readonly string[]) => Promise<T[]>;

const prepared = new WeakMap<DataSource, Map<string, Select<any>>>();

/**
 * A select by a list of keys, built by TypeORM once per data source and shape, then sent as text with the keys as
 * its one parameter; its rows become entities through TypeORM's own transformer, as getMany() makes them. Building
 * the query for every request cost a subgraph more CPU than reading its rows (the gateway bench's profile).
 */
function preparedSelect<T extends ObjectLiteral>(ds: DataSource, shape: string, build: () => SelectQueryBuilder<T>): Select<T> {
  let byShape = prepared.get(ds);
  if (!byShape) prepared.set(ds, (byShape = new Map()));
  let select = byShape.get(shape);
  if (!select) byShape.set(shape, (select = prepare(ds, build())));
  return select;
}

function prepare<T extends ObjectLiteral>(ds: DataSource, query: SelectQueryBuilder<T>): Select<T> {
  const map = query.expressionMap;
  new RelationIdMetadataToAttributeTransformer(map).transform();
  const [sql] = query.getQueryAndParameters();
  return async (keys) => {
    const raw: unknown[] = await namedQuery(ds, sql, [[...keys]]);
    if (!raw.length) return [];
    const relationIds = await new RelationIdLoader(ds, undefined, map.relationIdAttributes).load(raw);
    return new RawSqlResultsToEntityTransformer(map, ds.driver, relationIds, undefined).transform(raw, map.mainAlias!) as T[];
  };
}

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
  const select = preparedSelect(ds, `row\u0000${ds.getMetadata(entity).name}\u0000${column}`,
    () => ds.getRepository(entity).createQueryBuilder('e').where(`e.${column} = ANY(:keys)`, { keys: [] }));
  return new DataLoader(async (keys) => {
    const byKey = new Map((await select(keys)).map((r) => [String(r[key]), r]));
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
  const select = preparedSelect(ds, `group\u0000${ds.getMetadata(entity).name}\u0000${column}\u0000${orderBy}`, () => {
    const query = ds.getRepository(entity).createQueryBuilder('e').where(`e.${column} = ANY(:keys)`, { keys: [] }).orderBy(`e.${orderBy}`, 'ASC');
    for (const tie of ds.getMetadata(entity).primaryColumns) query.addOrderBy(`e.${tie.propertyName}`, 'ASC');
    return query;
  });
  return new DataLoader(async (keys) => {
    const groups = new Map<string, T[]>(keys.map((k) => [k, []]));
    for (const r of await select(keys)) groups.get(String(r[key]))?.push(r);
    return keys.map((k) => groups.get(k)!);
  });
}
