import { Messaging1795699190627 } from './1795699190627-messaging';
import { MessageIds1796303339565 } from './1796303339565-message-ids';

/** Outbox, inbox and idempotency keys, in every subgraph's database. */
export const messagingMigrations: Function[] = [Messaging1795699190627, MessageIds1796303339565];
