import type { DataSource } from 'typeorm';
import { closePrepared, createDataSource, openDatabase } from './kit/data-source';
import { databaseOf } from './kit/subgraph';
import { SUBGRAPHS } from './registry';

/** Every subgraph's own database, created if needed and migrated, by registry name. */
export async function openSubgraphDatabases(urlOf: (name: string) => string): Promise<Record<string, DataSource>> {
  const dbs: Record<string, DataSource> = {};
  try {
    for (const s of SUBGRAPHS) {
      const m = await s.load();
      const url = urlOf(s.name);
      dbs[s.name] = await openDatabase(createDataSource({ url, ...databaseOf(m) }), url);
    }
    return dbs;
  } catch (e) {
    await closeDatabases(dbs);
    throw e;
  }
}

export async function closeDatabases(dbs: Record<string, DataSource>): Promise<void> {
  await Promise.all(Object.values(dbs).map((d) => closePrepared(d)));
  await Promise.all(Object.values(dbs).filter((d) => d.isInitialized).map((d) => d.destroy()));
}
