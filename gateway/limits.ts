import { ApolloArmor } from '@escape.tech/graphql-armor';

/**
 * What one operation may ask for. Generous for the dossier pages and reports the clients send (a page
 * of dossiers with processing, history, shipments and events is depth 6 and cost about 400), tight
 * enough that a bomb is refused at validation, before any subgraph is called.
 */
export const LIMITS = { depth: 10, aliases: 15, directives: 10, tokens: 1500, cost: 3000 } as const;

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
