import { Ctx, Directive, FieldResolver, ObjectType, Resolver, Root } from 'type-graphql';
import { badUserInput } from '../../errors';
import type { RequestContext, SubgraphModule } from '../../subgraph';
import { SUBGRAPHS } from '../../../registry';
import { outboxState } from '../outbox-state';
import { checkQueueAccess, HandoverLane, HandoverOutboxFields, HandoverOutboxRef, LANES_DESCRIPTION, outboxTypeName } from './handover-outbox.types';
import { askToRevive, isSystem, reviveDead } from './revive';

export interface OutboxReference {
  __typename: string;
  system: string;
}

/**
 * What the system serving `handoverQueue` builds on: a reference to every system's outbox (route by value: each is
 * resolved by the system it names) and the retry that starts in its own outbox and asks the others to follow.
 */
export abstract class HandoverQueueHost {
  protected outboxes(ctx: RequestContext<unknown>): OutboxReference[] {
    checkQueueAccess(ctx.identity);
    return SUBGRAPHS.map((s) => ({ __typename: outboxTypeName(s.name), system: s.name }));
  }

  protected async retryDead(self: string, destination: string, ctx: RequestContext<unknown>): Promise<OutboxReference[]> {
    checkQueueAccess(ctx.identity);
    if (!isSystem(destination)) {
      throw badUserInput(`destination must name a system: ${SUBGRAPHS.map((s) => s.name).join(', ')}`, { field: 'destination' });
    }
    const { revived, asked } = await ctx.db.transaction(async (m) => ({
      revived: await reviveDead(m, destination),
      asked: await askToRevive(m, self, destination, ctx.requestId),
    }));
    ctx.log.info({ subject: ctx.identity.subject, role: ctx.identity.role, destination, revived, asked }, 'dead hand-overs retried');
    await ctx.dispatch();
    return this.outboxes(ctx);
  }
}

/** Whether a module serves the queue, and so names the other systems' outboxes. */
export const hostsHandoverQueue = (m: SubgraphModule) => m.resolvers.some((r) => r.prototype instanceof HandoverQueueHost);

const made = new Map<string, ReturnType<typeof make>>();

/**
 * A system's own outbox type (IntakeOutbox, TransportOutbox, …), keyed by system, with its lanes read from its own
 * database in one statement; for the host, also a reference type for every other system's outbox.
 */
export function handoverOutboxFor(system: string, o: { host: boolean }) {
  let it = made.get(system);
  if (!it) made.set(system, (it = make(system, o.host)));
  else if (it.host !== o.host) throw new Error(`the outbox types of ${system} were made for another role`);
  return it;
}

function make(system: string, host: boolean) {
  const typeName = outboxTypeName(system);

  @ObjectType(typeName, { implements: host ? HandoverOutboxRef : HandoverOutboxFields, description: `The ${system} system's outbox.` })
  @Directive('@key(fields: "system")')
  class Outbox extends (host ? HandoverOutboxRef : HandoverOutboxFields) {}

  @Resolver(() => Outbox)
  class OutboxResolver {
    @FieldResolver(() => [HandoverLane], { nullable: true, description: LANES_DESCRIPTION })
    async lanes(@Root() _outbox: Outbox, @Ctx() ctx: RequestContext<unknown>): Promise<HandoverLane[]> {
      checkQueueAccess(ctx.identity);
      const rows = await outboxState(ctx.db);
      const others = SUBGRAPHS.map((s) => s.name).filter((n) => n !== system);
      // A destination gone from the registry still shows while messages for it remain.
      const destinations = [...others, ...rows.map((r) => r.destination).filter((d) => !others.includes(d))];
      return destinations.map((destination) => {
        const r = rows.find((x) => x.destination === destination);
        return Object.assign(new HandoverLane(), {
          destination,
          pending: r?.pending ?? 0,
          dead: r?.dead ?? 0,
          oldestPendingSeconds: r?.pending ? r.oldestSeconds : null,
          oldestDeadSeconds: r?.oldestDeadSeconds ?? null,
          nextAttemptAt: r?.nextAttemptAt ?? null,
        });
      });
    }
  }

  const stubs = host ? SUBGRAPHS.filter((s) => s.name !== system).map((s) => outboxStub(outboxTypeName(s.name))) : [];
  const reference = {
    [typeName]: {
      __resolveReference(ref: { system: string }, ctx: RequestContext<unknown>) {
        checkQueueAccess(ctx.identity);
        return ref.system === system ? Object.assign(new Outbox(), { system }) : null;
      },
    },
  };
  return { host, types: [Outbox, ...stubs], resolver: OutboxResolver, reference };
}

function outboxStub(typeName: string): Function {
  @ObjectType(typeName, { implements: HandoverOutboxRef })
  @Directive('@key(fields: "system", resolvable: false)')
  class OutboxStub extends HandoverOutboxRef {}
  return OutboxStub;
}
