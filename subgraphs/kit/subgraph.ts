import type { WorkingCalendar } from './calendar/working-time';
import type { DataSource, EntityManager } from 'typeorm';
import type { MovedProcessing } from './department/processing.adopt';
import type { GraphQLResolveInfo } from 'graphql';
import type { NonEmptyArray } from 'type-graphql';
import type { DossierHistory } from './history';
import type { AuditLog } from './audit/audit-log';
import { AuditRecord } from './audit/audit-record.entity';
import { auditMigrations } from './audit/migrations';
import { MESSAGING_ENTITIES } from './messaging/messaging.entities';
import { messagingMigrations } from './messaging/migrations';
import { replayMigrations } from './replay/migrations';
import type { Identity } from './identity';
import type { Handler } from './messaging/handover';
import type { Logger } from './logger';
import type { AccessRecord } from './telemetry/access';

/** Resolvers keyed by type name holding `__resolveReference`, as @apollo/subgraph expects. */
export type ReferenceResolvers = Record<string, { __resolveReference(ref: any, ctx: any, info: GraphQLResolveInfo): unknown }>;

export interface SubgraphModule<L = unknown> {
  name: string;
  entities: Function[];
  migrations: Function[];
  resolvers: NonEmptyArray<Function>;
  /** Types reachable only through an interface or the federation `_entities` field. */
  orphanedTypes?: Function[];
  referenceResolvers: ReferenceResolvers;
  /** Made for each request: batching never crosses requests or callers. */
  createLoaders(db: DataSource, requestId: string): L;
  /** Counts working time (due dates): keeps the province's calendar (`calendar_day`) and follows its changes. */
  countsWorkingTime?: boolean;
  /** How this system applies the hand-overs other systems deliver, by message type. */
  handlers?: Record<string, Handler>;
  /** Stores this system's part of dossier histories (the demo seed and imports); returns records stored. */
  importHistory(db: DataSource, data: HistoryBatch): Promise<number>;
  /** A department system: takes over processing records from the one-stop system (npm run department:move). */
  adoptProcessing?(m: EntityManager, moved: MovedProcessing[]): Promise<void>;
}

/** Dossier histories; the catalogue they name is loaded before them (npm run catalogue:import). */
export interface HistoryBatch {
  dossiers: DossierHistory[];
  /**
   * The calendar the histories' working time is counted on, the register's as the import read it; without it, the
   * process's. The process's follows whichever database last reloaded it, and a department's may lag the register.
   */
  calendar?: WorkingCalendar;
}

export interface RequestContext<L = unknown> {
  requestId: string;
  /** The caller, as the gateway verified and signed it. */
  identity: Identity;
  /** What the access log and the request metrics say of this request. */
  access?: AccessRecord;
  /** Accesses to personal data in this request; written before the response leaves. */
  audit: AuditLog;
  /** Delivers the hand-overs a committed transaction enqueued, waiting briefly so the caller reads its own write. */
  dispatch(): Promise<void>;
  db: DataSource;
  loaders: L;
  log: Logger;
}

/** What every subgraph's database holds besides its own tables: the audit trail, the messaging tables, the replay nonces. */
export function databaseOf(m: SubgraphModule): { entities: Function[]; migrations: Function[] } {
  return {
    entities: [...m.entities, AuditRecord, ...MESSAGING_ENTITIES],
    migrations: [...auditMigrations, ...messagingMigrations, ...replayMigrations, ...m.migrations],
  };
}
