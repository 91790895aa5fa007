import { Directive, Field, Float, InterfaceType, Int, ObjectType } from 'type-graphql';
import { forbidden } from '../../errors';
import type { Identity } from '../../identity';

@ObjectType({ description: "What one system has written for one destination and the destination has not acknowledged." })
@Directive('@shareable')
export class HandoverLane {
  @Field({ description: 'The system the messages are for (a registry name: intake, postal, transport, …).' })
  destination: string;

  @Field(() => Int, { description: 'Not yet delivered and still being tried, with back-off.' })
  pending: number;

  @Field(() => Int, { description: 'Given up on after too many attempts or too long; delivered again only after retryDeadHandovers.' })
  dead: number;

  @Field(() => Float, { nullable: true, description: 'Age of the oldest pending message, from when it was written; null when none is pending.' })
  oldestPendingSeconds: number | null;

  @Field(() => Float, { nullable: true, description: 'Age of the oldest dead message, from when it was written; null when none is dead.' })
  oldestDeadSeconds: number | null;

  @Field(() => Date, { nullable: true, description: 'The next attempt at a pending message; null when none is pending.' })
  nextAttemptAt: Date | null;
}

const DESCRIPTION =
  "One system's outbox: the hand-overs it has written for the other systems and not yet delivered, by destination. " +
  'The concrete type names the system (IntakeOutbox, PostalOutbox, TransportOutbox, …), which answers for it from its own database.';

const LANES =
  'One lane per other system, with zeros when nothing waits for it. Null, with an error, when this system does not answer.';

/** The interface as each system that keeps only its own outbox declares it. */
@InterfaceType('HandoverOutbox', { description: DESCRIPTION, resolveType: (v: { __typename?: string }) => v.__typename })
export abstract class HandoverOutboxFields {
  @Field({ description: 'The system whose outbox this is (a registry name).' })
  system: string;

  @Field(() => [HandoverLane], { nullable: true, description: LANES })
  lanes: HandoverLane[] | null;
}

/** The interface as the system serving the queue declares it: it names every outbox, and fills only its own. */
@InterfaceType('HandoverOutbox', { description: DESCRIPTION, resolveType: (v: { __typename?: string }) => v.__typename })
export abstract class HandoverOutboxRef {
  @Field({ description: 'The system whose outbox this is (a registry name).' })
  system: string;
}

export const LANES_DESCRIPTION = LANES;

const pascal = (name: string) => name.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());

/** intake → IntakeOutbox, industry-trade → IndustryTradeOutbox. */
export const outboxTypeName = (system: string) => `${pascal(system)}Outbox`;

/** The queue shows how systems talk, not personal data, but only the centre's staff run it. */
export function checkQueueAccess(who: Identity): void {
  if (who.role !== 'CENTRE_STAFF') throw forbidden('only centre staff may see or retry the hand-over queue');
}
