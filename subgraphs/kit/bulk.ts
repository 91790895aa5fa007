import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/** Multi-row inserts in chunks; rows already present (same key) are left as they are. */
export async function insertMany<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  rows: Partial<T>[],
  chunk = 500,
): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += chunk) {
    const result = await manager
      .createQueryBuilder()
      .insert()
      .into(entity)
      .values(rows.slice(i, i + chunk) as never)
      .orIgnore()
      .updateEntity(false)
      .returning('1 AS inserted')
      .execute();
    inserted += Array.isArray(result.raw) ? result.raw.length : 0;
  }
  return inserted;
}
