import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A fact another system must learn, written in the same transaction as the change that caused it.
 * Pending: delivered_at and dead_at both null; dead: not delivered and dead_at set (revived by clearing it).
 */
@Entity('outbox_message')
@Index(['deliveredAt', 'id'])
@Index('outbox_message_lane', ['destination', 'id'], { where: '"delivered_at" IS NULL AND "dead_at" IS NULL' })
@Index('outbox_message_dossier_queue', ['destination', 'dossierCode', 'id'], { where: '"delivered_at" IS NULL' })
export class OutboxMessage {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  /**
   * What the receiver dedupes by, with the sender's name: stable across a restore from backup, unlike the id.
   * The default is gen_random_uuid() spelt through a cast, as TypeORM reads it back: spelt bare, TypeORM takes the
   * column for its own uuid generation and would install uuid-ossp at every start.
   */
  @Column({ type: 'uuid', unique: true, default: () => '((gen_random_uuid()))' })
  messageId: string;

  /** Written before message ids existed: the receiver knew it as `<source>:<id>`, and still does. */
  @Column({ type: 'boolean', default: false })
  legacyKey: boolean;

  @Column({ type: 'varchar', length: 32 })
  destination: string;

  @Column({ type: 'varchar', length: 40 })
  dossierCode: string;

  @Column({ type: 'varchar', length: 32 })
  type: string;

  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'varchar', length: 200, nullable: true })
  lastError: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  deadAt: Date | null;

  /** A dispatcher replica delivering it until then; after it, another may take it over. */
  @Column({ type: 'timestamptz', nullable: true })
  leaseUntil: Date | null;

  /** Which claim holds the lease: only its holder records a failure. */
  @Column({ type: 'uuid', nullable: true })
  leaseToken: string | null;
}

/** Messages already applied here, by their sender and its message id: a repeat changes nothing. */
@Entity('inbox_message')
export class InboxMessage {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  source: string;

  /** A UUID; `<source>:<row id>` for messages sent before message ids existed. */
  @PrimaryColumn({ type: 'varchar', length: 80 })
  messageId: string;

  @Column({ type: 'varchar', length: 32 })
  type: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  receivedAt: Date;
}

/** The first answer to a mutation sent with an idempotency key, and a hash of its input. */
@Entity('idempotency_key')
export class IdempotencyKey {
  /** SHA-256 (hex) of `<subject>|<key>`: keys are kept whole, however long, in a fixed width. */
  @PrimaryColumn({ type: 'char', length: 64 })
  key: string;

  @PrimaryColumn({ type: 'varchar', length: 60 })
  operation: string;

  @Column({ type: 'varchar', length: 120 })
  subject: string;

  @Column({ type: 'char', length: 64 })
  requestHash: string;

  @Column({ type: 'jsonb' })
  response: unknown;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}

export const MESSAGING_ENTITIES = [OutboxMessage, InboxMessage, IdempotencyKey];
