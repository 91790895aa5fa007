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

/** The keys among `keys` that already have a row: an import skips them, so a re-run changes nothing. */
export async function existingKeys(manager: EntityManager, table: string, column: string, keys: string[]): Promise<Set<string>> {
  if (!/^[a-z_]+$/.test(table + column)) throw new Error('bad identifier');
  const found = new Set<string>();
  for (let i = 0; i < keys.length; i += 10_000) {
    const rows: { k: string }[] = await manager.query(`SELECT ${column} AS k FROM ${table} WHERE ${column} = ANY($1)`, [keys.slice(i, i + 10_000)]);
    rows.forEach((r) => found.add(r.k.trim()));
  }
  return found;
}
