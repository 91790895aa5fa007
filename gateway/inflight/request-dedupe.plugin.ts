import type { ApolloServerPlugin, GraphQLRequestContext, GraphQLResponse } from '@apollo/server';
import type { OperationDefinitionNode } from 'graphql';
import type { Counter } from 'prom-client';
import type { Identity } from '../../subgraphs/kit/identity';
import type { RequestDeadline } from '../resilience/deadline';

type SingleResult = (GraphQLResponse['body'] & { kind: 'single' })['singleResult'];

/** Who an answer is for: everything the subgraphs answer by (masking, a department's own, a citizen's own). */
export const identityKey = (who: Identity) => `${who.role}\u0000${who.subject}\u0000${who.department ?? ''}\u0000${who.citizenId ?? ''}`;

/**
 * Identical queries of one caller in flight at the same instant are executed once: the others wait for the first
 * and get a copy of its answer, errors included (a system that did not answer the first did not answer them: they
 * are at the same point of their own time), each error under the request's own id. Keyed by the verified identity
 * as well as the operation, its name and variables, so no one is ever given another caller's answer. Never a
 * mutation. What a dashboard or a client retrying sends twice costs the system once.
 */
export function requestDedupe<C extends { identity: Identity; deadline?: RequestDeadline }>(counter: Counter): ApolloServerPlugin<C> {
  const running = new Map<string, Promise<SingleResult | null>>();
  return {
    async requestDidStart() {
      let finish: ((result: SingleResult | null) => void) | undefined;
      return {
        async responseForOperation(rc: GraphQLRequestContext<C>) {
          const { operation, source } = rc as GraphQLRequestContext<C> & { operation: OperationDefinitionNode; source?: string };
          if (operation.operation !== 'query' || !source) return null;
          const key = `${identityKey(rc.contextValue.identity)}\u0000${rc.operationName ?? ''}\u0000${source}\u0000${JSON.stringify(rc.request.variables ?? {})}`;
          const first = running.get(key);
          if (first) {
            counter.inc();
            // Never past its own time: should the first not finish by then, this one is answered for itself.
            let timer: NodeJS.Timeout | undefined;
            const ownTime = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), rc.contextValue.deadline?.leftMs('query') ?? 0)));
            const result = await Promise.race([first, ownTime]).finally(() => clearTimeout(timer));
            if (!result) return null;
            return { http: rc.response.http, body: { kind: 'single', singleResult: structuredClone(result) } };
          }
          let answer!: (result: SingleResult | null) => void;
          running.set(key, new Promise((resolve) => (answer = resolve)));
          finish = (result) => {
            running.delete(key);
            answer(result);
          };
          return null;
        },
        async willSendResponse({ response }) {
          const result = response.body.kind === 'single' ? response.body.singleResult : null;
          finish?.(result ? structuredClone(result) : null);
        },
      };
    },
  };
}
