import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import type { Identity } from '../../subgraphs/kit/identity';
import type { RateLimiter } from './rate-limiter';

/** Whether the operation asks `field` at its root, through fragments too; looks at the root selections only. */
export function asksRootField(operation: OperationDefinitionNode, document: DocumentNode, field: string): boolean {
  const seen = new Set<string>();
  const asks = (set: SelectionSetNode): boolean =>
    set.selections.some((s) => {
      if (s.kind === Kind.FIELD) return s.name.value === field;
      if (s.kind === Kind.INLINE_FRAGMENT) return asks(s.selectionSet);
      if (seen.has(s.name.value)) return false;
      seen.add(s.name.value);
      const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === s.name.value);
      return fragment?.kind === Kind.FRAGMENT_DEFINITION && asks(fragment.selectionSet);
    });
  return operation.operation === 'query' && asks(operation.selectionSet);
}

/**
 * The receipt lookup's own limit for anonymous callers, once the operation is parsed and known (before any
 * subgraph is called): a receipt with a wrong ID number answers like any other, so only the count stops guessing.
 */
export function receiptLimit(limiter: RateLimiter): ApolloServerPlugin<{ identity: Identity; clientAddress?: string }> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation, document }) {
          if (contextValue.identity.role !== 'ANONYMOUS' || !operation || !asksRootField(operation, document, 'receipt')) return;
          await limiter.admitReceipt(contextValue.clientAddress);
        },
      };
    },
  };
}
