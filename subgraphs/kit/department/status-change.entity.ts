import { Directive, Field, ObjectType, UseMiddleware } from 'type-graphql';
import { FreeText, type DossierScope } from '../access';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { ProcessingStatus } from './processing-status';

/** One step of a processing record's history; written in the same transaction as the status it records. */
@Entity('status_change')
@Index(['dossierCode', 'at'])
// Supplement requests by time, for the figures per procedure and officer (a partial index: in the migration).
@Index('status_change_waiting_at', { synchronize: false })
@ObjectType({ description: 'A change of processing status.' })
@Directive('@shareable')
export class StatusChange {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Column({ type: 'varchar', length: 40 })
  dossierCode: string;

  @Field(() => ProcessingStatus)
  @Column({ type: 'varchar', length: 16 })
  status: ProcessingStatus;

  @Field(() => Date)
  @Column({ type: 'timestamptz' })
  at: Date;

  @Field(() => String, { nullable: true, description: 'Who made the change.' })
  @Column({ type: 'varchar', length: 120, nullable: true })
  officer: string | null;

  @Field(() => String, { nullable: true, description: "An officer's note: free text, null for callers who see persons masked." })
  @UseMiddleware(FreeText())
  @Column({ type: 'text', nullable: true })
  note: string | null;

  /** The dossier it belongs to, for access checks; set by the resolver, never stored. */
  scope?: DossierScope;
}
