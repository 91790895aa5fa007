import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** A fact another system must learn, written in the same transaction as the change that caused it. */
@Entity('outbox_message')
@Index(['deliveredAt', 'id'])
export class OutboxMessage {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

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
}

/** Messages already applied here, by their sender's id: a repeat changes nothing. */
@Entity('inbox_message')
export class InboxMessage {
  @PrimaryColumn({ type: 'varchar', length: 80 })
  messageId: string;

  @Column({ type: 'varchar', length: 32 })
  source: string;

  @Column({ type: 'varchar', length: 32 })
  type: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  receivedAt: Date;
}

/** The first answer to a mutation sent with an idempotency key, and a hash of its input. */
@Entity('idempotency_key')
export class IdempotencyKey {
  @PrimaryColumn({ type: 'varchar', length: 100 })
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
