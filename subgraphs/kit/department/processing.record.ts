import { Field, InterfaceType, ObjectType } from 'type-graphql';
import { Column, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Decision, ProcessingStatus } from './processing-status';
import { StatusChange } from './status-change.entity';

/**
 * What every system that processes dossiers keeps of one: the dossier facts it was handed, its own
 * status, officer and decision. A department's entity extends it with its own detail.
 */
@ObjectType()
@Index(['status'])
@Index(['departmentCode', 'receivedAt'])
@Index(['departmentCode', 'decidedAt'])
@Index('processing_open_until', { synchronize: false })
export abstract class ProcessingRecord {
  @Field({ description: 'The dossier this record processes.' })
  @PrimaryColumn({ type: 'varchar', length: 40 })
  dossierCode: string;

  @Field({ description: 'National procedure code, e.g. 1.002820.' })
  @Column({ type: 'varchar', length: 20 })
  procedureCode: string;

  @Field(() => Date)
  @Column({ type: 'timestamptz' })
  receivedAt: Date;

  @Field(() => Date, { nullable: true, description: 'Statutory deadline, moved by any paused time.' })
  @Column({ type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  @Field(() => ProcessingStatus)
  @Column({ type: 'varchar', length: 16 })
  status: ProcessingStatus;

  @Field(() => String, { nullable: true, description: 'The officer handling the dossier.' })
  @Column({ type: 'varchar', length: 120, nullable: true })
  officer: string | null;

  @Field(() => Decision, { nullable: true })
  @Column({ type: 'varchar', length: 10, nullable: true })
  decision: Decision | null;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  /** This system's id of the officer who decided it (the caller's subject; an imported history's officer). */
  @Column({ type: 'varchar', length: 120, nullable: true })
  decidedBy: string | null;

  /** Working hours from receipt to decision, less the time awaiting supplements (report/processing-time.ts). */
  @Column({ type: 'numeric', precision: 10, scale: 2, nullable: true })
  processingHours: string | null;

  /** When the applicant withdrew it, as the centre handed it over. */
  @Column({ type: 'timestamptz', nullable: true })
  withdrawnAt: Date | null;

  /** When a withdrawal reached this system after its decision, and was refused. */
  @Column({ type: 'timestamptz', nullable: true })
  withdrawalRefusedAt: Date | null;

  /** The department that owns the dossier: who may see it. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  departmentCode: string | null;

  /** The applicant's citizen ID, kept to let the applicant see their own dossier; never a field. */
  @Column({ type: 'char', length: 12, nullable: true })
  applicantIdNumber: string | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/** The fields every processing type has, in every system that processes dossiers. */
@InterfaceType('Processing', {
  description:
    'How a dossier is processed, by the system that owns it. The concrete type names that system: ' +
    'TransportProcessing, PoliceProcessing, IndustryTradeProcessing, or OneStopProcessing for ' +
    "departments working in the centre's one-stop system.",
})
export abstract class ProcessingFields {
  @Field()
  dossierCode: string;

  @Field()
  procedureCode: string;

  @Field(() => Date)
  receivedAt: Date;

  @Field(() => Date, { nullable: true })
  dueAt: Date | null;

  @Field(() => ProcessingStatus)
  status: ProcessingStatus;

  @Field(() => String, { nullable: true })
  officer: string | null;

  @Field(() => Decision, { nullable: true })
  decision: Decision | null;

  @Field(() => Date, { nullable: true })
  decidedAt: Date | null;

  @Field(() => [StatusChange], { description: 'Status changes, oldest first.' })
  history: StatusChange[];
}
