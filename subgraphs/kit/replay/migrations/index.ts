import { ReplayNonce1796303845191 } from './1796303845191-replay-nonce';

/** The replay nonces' table, in every subgraph's database (used unless the replicas share Redis). */
export const replayMigrations: Function[] = [ReplayNonce1796303845191];
