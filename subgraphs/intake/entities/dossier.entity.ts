import { Directive, Field, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryColumn, RelationId } from 'typeorm';
import type { DossierScope } from '../../kit/access';
import { Decision, ProcessingStatus } from '../../kit/department/processing-status';
import { Applicant } from './applicant.entity';
import { Channel, ResultChannel } from './channel';
import { Department } from './department.entity';
import { Procedure } from './procedure.entity';

/** The centre's register entry for a dossier: what was received, from whom, and where it went. */
@Index('IDX_dossier_applicant_id_number', { synchronize: false })
@Entity('dossier')
@Index(['receivedAt', 'code'])
@ObjectType({ description: 'A dossier (hồ sơ) registered by the centre.' })
@Directive('@key(fields: "code")')
export class Dossier {
  @Field({ description: '<unit code>-<yyMMdd>-<NNNN>, e.g. 000.00.16.H56-200401-0012.' })
  @PrimaryColumn({ type: 'varchar', length: 40 })
  code: string;

  @Index()
  @ManyToOne(() => Procedure, { nullable: false })
  procedure: Procedure;

  @RelationId((d: Dossier) => d.procedure)
  procedureCode: string;

  @Index()
  @ManyToOne(() => Department, { nullable: false })
  department: Department;

  @RelationId((d: Dossier) => d.department)
  departmentCode: string;

  /** The system the dossier was handed to (a registry name), null for the one-stop system; fixed at intake. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  processingSystem: string | null;

  @Column(() => Applicant, { prefix: 'applicant' })
  applicant: Applicant;

  @Field(() => Channel)
  @Column({ type: 'varchar', length: 8 })
  channel: Channel;

  @Field(() => Date)
  @Column({ type: 'timestamptz' })
  receivedAt: Date;

  @Field(() => Date, { nullable: true, description: 'Statutory deadline at intake, from the working-hour calendar.' })
  @Column({ type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  handedOverAt: Date | null;

  /** The decision as reported back to the centre by the processing system. */
  @Column({ type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  decision: Decision | null;

  @Field(() => Date, { nullable: true, description: 'When the result went back to the applicant.' })
  @Column({ type: 'timestamptz', nullable: true })
  returnedAt: Date | null;

  @Field(() => ResultChannel, { nullable: true })
  @Column({ type: 'varchar', length: 8, nullable: true })
  returnChannel: ResultChannel | null;

  @Field(() => Date, { nullable: true, description: 'When the dossier was withdrawn: when the system processing it cancelled it.' })
  @Column({ type: 'timestamptz', nullable: true })
  withdrawnAt: Date | null;

  @Field(() => Date, {
    nullable: true,
    description:
      "A withdrawal asked for and not yet answered by the department's own system, which orders it against its decision: " +
      'when it was asked. Null once the system has cancelled the dossier (withdrawnAt) or refused because it had decided.',
  })
  @Column({ type: 'timestamptz', nullable: true })
  withdrawalRequestedAt: Date | null;

  /** The applicant's name folded (no diacritics, lower case) for search; computed by PostgreSQL. */
  @Index('IDX_dossier_applicant_search', { synchronize: false })
  @Column({
    type: 'text',
    generatedType: 'STORED',
    asExpression: 'motcua_fold("applicant_full_name")',
    select: false,
    insert: false,
    update: false,
    nullable: true,
  })
  applicantSearch: string;

  /** Status as last reported by the processing system (through its hand-overs), for filters and the deadline. */
  @Index()
  @Column({ type: 'varchar', length: 16, default: 'NEW' })
  status: ProcessingStatus;

  /** Start of the supplement wait in progress, if any: the deadline clock is stopped since then. */
  @Column({ type: 'timestamptz', nullable: true })
  pausedSince: Date | null;

  /** Working hours spent waiting for supplements in finished waits. */
  @Column({ type: 'numeric', precision: 8, scale: 2, default: 0, transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  pausedHours: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  get scope(): DossierScope {
    return { dossierCode: this.code, departmentCode: this.departmentCode, applicantIdNumber: this.applicant?.idNumber ?? null };
  }
}
