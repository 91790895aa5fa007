import { ApolloArmor } from '@escape.tech/graphql-armor';

/**
 * What one operation may ask for: room for the heaviest page clients send (100 dossiers with every field,
 * processing with history, shipments with events: depth 6, Armor cost about 23,000), while a bomb is
 * refused at validation, before any subgraph is called.
 */
export const LIMITS = { depth: 10, aliases: 15, directives: 10, tokens: 1500, cost: 50_000 } as const;

/** GraphQL Armor: the limits above; in production the messages do not echo them, and no field is suggested. */
export function armor(production: boolean) {
  const exposeLimits = !production;
  return new ApolloArmor({
    maxDepth: { n: LIMITS.depth, exposeLimits, flattenFragments: true },
    maxAliases: { n: LIMITS.aliases, exposeLimits },
    maxDirectives: { n: LIMITS.directives, exposeLimits },
    maxTokens: { n: LIMITS.tokens, exposeLimits },
    costLimit: { maxCost: LIMITS.cost, exposeLimits, flattenFragments: true },
    blockFieldSuggestion: { enabled: production },
  }).protect();
}
