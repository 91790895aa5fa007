import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { HandoverQueueHost, OutboxReference } from '../../kit/messaging/queue/handover-outbox.resolver';
import { HandoverOutboxRef } from '../../kit/messaging/queue/handover-outbox.types';
import type { RequestContext } from '../../kit/subgraph';

/** The centre watches every system's hand-overs from here; each system answers for its own outbox. */
@Resolver()
export class HandoverQueueResolver extends HandoverQueueHost {
  @Query(() => [HandoverOutboxRef], {
    description: "Every system's outbox, by destination: what is pending (still being tried) and dead (given up on). Centre staff only.",
  })
  handoverQueue(@Ctx() ctx: RequestContext<unknown>): OutboxReference[] {
    return this.outboxes(ctx);
  }

  @Mutation(() => [HandoverOutboxRef], {
    description:
      "Tries again the dead hand-overs to a system: the centre's own at once, every other system's through a hand-over " +
      'asking it to (delivered as soon as it answers). Answers every outbox as it is after. Centre staff only.',
  })
  retryDeadHandovers(@Arg('destination') destination: string, @Ctx() ctx: RequestContext<unknown>): Promise<OutboxReference[]> {
    return this.retryDead('intake', destination, ctx);
  }
}
