import { Messaging1795699190627 } from './1795699190627-messaging';

/** Outbox, inbox and idempotency keys, in every subgraph's database. */
export const messagingMigrations: Function[] = [Messaging1795699190627];
