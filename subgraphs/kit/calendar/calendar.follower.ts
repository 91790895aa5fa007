import type { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent } from 'typeorm';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from '../logger';
import { calendar, LocalDays, WorkingCalendar } from './working-time';

/** Told in the transaction that changes `calendar_day`: every process on the database reloads when it commits. */
export const CALENDAR_CHANNEL = 'calendar_changed';
/** How often a process reloads its calendar even without a notification: a lost LISTEN connection heals by then. */
export const CALENDAR_RELOAD_MS = 60_000;

/** The province's own days a database holds. */
export async function calendarDays(q: Pick<EntityManager, 'query'>): Promise<LocalDays & { holidays: string[]; workingDays: string[] }> {
  const rows: { date: string; kind: string }[] = await q.query(`SELECT to_char(date, 'YYYY-MM-DD') AS date, kind FROM calendar_day`);
  return {
    holidays: rows.filter((r) => r.kind === 'HOLIDAY').map((r) => r.date),
    workingDays: rows.filter((r) => r.kind === 'WORKING_DAY').map((r) => r.date),
  };
}

/** The calendars that follow each database: its servers' own, and the process's `calendar` through them. */
const followers = new Map<DataSource, Set<WorkingCalendar>>();

async function reload(db: DataSource): Promise<void> {
  const own = followers.get(db);
  if (!own?.size) return;
  const days = await calendarDays(db);
  for (const c of own) c.replace(days);
  calendar.replace(days);
}

const reloadAfterCommit = new WeakSet<QueryRunner>();
const subscribed = new WeakSet<DataSource>();

/** This process reloads the calendar when `m`'s transaction commits, before the commit returns (it reads its own write). */
export function reloadWhenCommitted(m: EntityManager): void {
  const db = m.connection;
  if (!subscribed.has(db)) {
    subscribed.add(db);
    const subscriber: EntitySubscriberInterface = {
      afterTransactionCommit(event: TransactionCommitEvent) {
        // A savepoint's release is broadcast as a commit too: only the outermost one is.
        if (event.queryRunner.isTransactionActive || !reloadAfterCommit.has(event.queryRunner)) return;
        reloadAfterCommit.delete(event.queryRunner);
        return reload(event.connection);
      },
    };
    db.subscribers.push(subscriber);
  }
  if (m.queryRunner) reloadAfterCommit.add(m.queryRunner);
}

/**
 * Loads `own` (and the process's `calendar`) from the database, then keeps it current: LISTEN on a connection of
 * its own for the changes other processes commit, and a reload every `everyMs` in case that connection was lost
 * (it is opened again then). Resolves once loaded, so a server listens only with its calendar; returns the stop.
 */
export async function followCalendar(db: DataSource, own: WorkingCalendar, log: Logger, everyMs = CALENDAR_RELOAD_MS): Promise<() => Promise<void>> {
  const set = followers.get(db) ?? new Set();
  set.add(own);
  followers.set(db, set);
  await reload(db);
  const pool = (db.driver as unknown as { master: Pool }).master;
  let listener: PoolClient | undefined;
  let releaseListener: ((e?: Error) => void) | undefined;
  let stopped = false;
  const failed = (e: unknown) => log.warn({ sqlState: (e as { code?: string }).code }, 'reloading the calendar failed; it is retried');
  const listen = async () => {
    if (listener || stopped) return;
    const client = await pool.connect();
    // A client goes back to the pool once: an error after that (the server ending an idle connection) is the pool's.
    let released = false;
    const release = (e?: Error) => {
      if (released) return;
      released = true;
      client.removeListener('notification', onNotification);
      client.removeListener('error', onError);
      if (listener === client) listener = undefined;
      client.release(e);
    };
    const onNotification = () => reload(db).catch(failed);
    const onError = (e: Error) => {
      release(e);
      failed(e);
    };
    client.on('notification', onNotification);
    client.on('error', onError);
    try {
      await client.query(`LISTEN ${CALENDAR_CHANNEL}`);
    } catch (e) {
      release(e as Error);
      throw e;
    }
    listener = client;
    releaseListener = release;
  };
  await listen().catch(failed);
  const timer = setInterval(() => {
    listen().then(() => reload(db)).catch(failed);
  }, everyMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    set.delete(own);
    const client = listener;
    if (client) {
      await client.query(`UNLISTEN ${CALENDAR_CHANNEL}`).catch(() => {});
      releaseListener?.();
    }
  };
}
