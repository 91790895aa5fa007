import { Field, ObjectType } from 'type-graphql';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

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
      'or SHIPMENT_<status> for postal items.',
  })
  @Column({ type: 'varchar', length: 40 })
  type: string;

  @Field(() => String, { nullable: true, description: 'A short description; never personal data.' })
  @Column({ type: 'varchar', length: 200, nullable: true })
  detail: string | null;
}
