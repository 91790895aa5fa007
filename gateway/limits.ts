import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ApolloServerPlugin } from '@apollo/server';
import type { ParseOptions, ValidationRule } from 'graphql';

/**
 * What one operation may ask for: room for the heaviest page clients send (100 dossiers with every field,
 * processing with history, shipments with events: depth 6, Armor cost about 23,000), while a bomb is
 * refused at validation, before any subgraph is called.
 */
export const LIMITS = { depth: 10, aliases: 15, directives: 10, tokens: 1500, cost: 50_000 } as const;

// graphql 16 writes "more that"; a later release may fix the spelling.
const TOKEN_LIMIT_MESSAGE = /Document contains more th(?:an|at) \d+ tokens\. Parsing aborted\./;

/** In production the parser's refusal does not say where the limit lies, as Armor's messages do not. */
const hideTokenLimit: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors }) {
        for (const error of errors) error.message = error.message.replace(TOKEN_LIMIT_MESSAGE, 'Token limit exceeded.');
      },
    };
  },
};

/**
 * GraphQL Armor: the limits above; in production the messages do not echo them, and no field is suggested.
 * The token limit is graphql-js's own, applied by the parser Apollo runs: a refusal is a 400 parse failure.
 * (Armor's token plugin parses in a hook Apollo cannot answer from, so a syntax error there became a 500.)
 */
export function armor(production: boolean): { validationRules: ValidationRule[]; plugins: ApolloServerPlugin[]; parseOptions: ParseOptions } {
  const exposeLimits = !production;
  const protection = new ApolloArmor({
    maxDepth: { n: LIMITS.depth, exposeLimits, flattenFragments: true },
    maxAliases: { n: LIMITS.aliases, exposeLimits },
    maxDirectives: { n: LIMITS.directives, exposeLimits },
    maxTokens: { enabled: false },
    costLimit: { maxCost: LIMITS.cost, exposeLimits, flattenFragments: true },
    blockFieldSuggestion: { enabled: production },
  }).protect();
  return {
    validationRules: protection.validationRules,
    plugins: [...protection.plugins, ...(production ? [hideTokenLimit] : [])],
    parseOptions: { maxTokens: LIMITS.tokens },
  };
}
