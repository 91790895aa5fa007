import { Directive, Field, ObjectType } from 'type-graphql';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One access to a dossier's personal data, allowed or denied. Rows are hash-chained: each hash covers
 * the row and the previous row's hash, so an edited or deleted row breaks the chain; each mac is an HMAC of the
 * hash (and action and reason) under a key the database does not hold, so a chain rewritten with recomputed
 * hashes fails too (npm run audit:verify).
 */
@Entity('audit_record')
@Index(['dossierCode', 'at'])
@ObjectType({ description: 'An access to personal data, as the system that holds the data logged it.' })
@Directive('@shareable')
export class AuditRecord {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Field(() => Date)
  @Column({ type: 'timestamptz' })
  at: Date;

  @Field()
  @Column({ type: 'varchar', length: 64 })
  requestId: string;

  @Field({ description: 'Who: the subject of the verified token.' })
  @Column({ type: 'varchar', length: 120 })
  subject: string;

  @Field()
  @Column({ type: 'varchar', length: 20 })
  role: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'varchar', length: 16, nullable: true })
  department: string | null;

  @Field()
  @Column({ type: 'varchar', length: 40 })
  dossierCode: string;

  @Field(() => [String], { description: 'The personal fields read or written.' })
  @Column({ type: 'text', array: true })
  fields: string[];

  @Field({ description: 'READ or WRITE.' })
  @Column({ type: 'varchar', length: 8 })
  operation: string;

  @Field()
  @Column({ type: 'boolean' })
  allowed: boolean;

  @Column({ type: 'char', length: 64 })
  prevHash: string;

  @Column({ type: 'char', length: 64, unique: true })
  hash: string;

  /** Null only on rows written before the chain was keyed. */
  @Column({ type: 'char', length: 64, nullable: true })
  mac: string | null;

  /** The mutation that made the change or was refused. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  action: string | null;

  /** Why it was refused: the error's code (FORBIDDEN, CONFLICT, BAD_USER_INPUT, NOT_FOUND). */
  @Column({ type: 'varchar', length: 20, nullable: true })
  reason: string | null;
}
