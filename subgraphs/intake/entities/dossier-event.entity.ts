import { Field, MiddlewareFn, ObjectType, UseMiddleware } from 'type-graphql';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { FreeText, type DossierScope } from '../../kit/access';
import type { RequestContext } from '../../kit/subgraph';

/** Events whose detail an officer wrote (the supplement request's note): free text, masked like a name. */
const WRITTEN = new Set(['SUPPLEMENT_REQUESTED']);
const freeText = FreeText();
const WrittenDetail: MiddlewareFn<RequestContext<unknown>> = (action, next) =>
  WRITTEN.has((action.root as DossierEvent).type) ? freeText(action, next) : next();

/**
 * The register's event log: what the centre did, and what the other systems reported through their
 * hand-overs, each under the name of the system it came from.
 */
@Entity('dossier_event')
@Index(['dossierCode', 'at'])
@ObjectType('TimelineEvent', { description: 'One thing that happened to a dossier, in one of the systems.' })
export class DossierEvent {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Column({ type: 'varchar', length: 40 })
  dossierCode: string;

  @Field(() => Date)
  @Column({ type: 'timestamptz' })
  at: Date;

  @Field({ description: 'The subgraph the event came from: intake, postal, transport, police, industry-trade.' })
  @Column({ type: 'varchar', length: 32 })
  system: string;

  @Field({
    description:
      'RECEIVED, HANDED_OVER, PROCESSING_STARTED, SUPPLEMENT_REQUESTED, SUPPLEMENT_RECEIVED, DECIDED, ' +
      'RESULT_RETURNED, WITHDRAWAL_REQUESTED, WITHDRAWN, WITHDRAWAL_REFUSED (the department had decided first), RATED, ' +
      'CALENDAR_CHANGED (a holiday or working day added moved the due date; detail: the reason), ' +
      'or SHIPMENT_<status> for postal items.',
  })
  @Column({ type: 'varchar', length: 40 })
  type: string;

  @Field(() => String, {
    nullable: true,
    description: "A short description. An officer's note (SUPPLEMENT_REQUESTED) is null for callers who see persons masked.",
  })
  @UseMiddleware(WrittenDetail)
  @Column({ type: 'varchar', length: 200, nullable: true })
  detail: string | null;

  /** The dossier it belongs to, for access checks; set by the resolver, never stored. */
  scope?: DossierScope;
}
