type Path = readonly (string | number)[];
type Entity = Record<string, unknown>;

/**
 * The objects at `path` in the result being built ('@' steps through a list, as does a name met on a list), nulls
 * left out: the order in which @apollo/gateway numbers the entities of a fetch when it places an error at
 * `['_entities', i]`. The result is read through the root fetches' own data, which the gateway merges by reference.
 */
export function entitiesAt(roots: readonly object[], path: Path): Entity[] {
  const found: Entity[] = [];
  const walk = (value: unknown, at: number): void => {
    if (value === null || value === undefined) return;
    if (at === path.length) {
      found.push(value as Entity);
      return;
    }
    const step = path[at];
    if (Array.isArray(value)) {
      for (const item of value) walk(item, step === '@' ? at + 1 : at);
    } else if (typeof value === 'object' && typeof step === 'string' && step !== '@') {
      walk((value as Entity)[step], at + 1);
    }
  };
  const result: Entity = {};
  for (const root of roots) {
    for (const [key, value] of Object.entries(root)) if (result[key] === null || result[key] === undefined) result[key] = value;
  }
  walk(result, 0);
  return found;
}

/** Whether every value of the representation (its __typename, keys and required fields) is the entity's. */
function carries(entity: unknown, representation: unknown): boolean {
  if (representation === null || typeof representation !== 'object') return entity === representation;
  if (entity === null || typeof entity !== 'object') return false;
  if (Array.isArray(representation)) {
    return Array.isArray(entity) && entity.length === representation.length && representation.every((r, i) => carries(entity[i], r));
  }
  return Object.entries(representation).every(([key, value]) => carries((entity as Entity)[key], value));
}

/**
 * Which entity each representation was made from. The gateway sends a subgraph only the entities of the types it
 * owns, but numbers errors over all entities at the path: in a list of dossiers handled by several departments, the
 * i-th representation is rarely the i-th entity. Null when they cannot all be matched in order.
 */
export function entityPositions(entities: readonly Entity[], representations: readonly unknown[]): number[] | null {
  const positions: number[] = [];
  let k = 0;
  for (const representation of representations) {
    while (k < entities.length && !carries(entities[k], representation)) k++;
    if (k === entities.length) return null;
    positions.push(k++);
  }
  return positions;
}
