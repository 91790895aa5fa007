import { createDataSource, openDatabase } from '../../subgraphs/kit/data-source';
import { databaseOf } from '../../subgraphs/kit/subgraph';
import { SUBGRAPHS } from '../../subgraphs/registry';
import { dropDatabases, testDatabaseUrl, uniquePrefix } from '../support/databases';

describe('migrations', () => {
  const prefix = uniquePrefix('migrations');
  afterAll(() => dropDatabases(prefix));

  it.each(SUBGRAPHS.map((s) => [s.name]))(
    'when %s is migrated from nothing, then its entities need no further change, and undoing every migration leaves only TypeORM\'s bookkeeping',
    async (name) => {
      const m = await SUBGRAPHS.find((s) => s.name === name)!.load();
      const url = testDatabaseUrl(prefix, name);
      const schema = databaseOf(m);
      const db = await openDatabase(createDataSource({ url, ...schema }), url);
      try {
        expect((await db.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query)).toEqual([]);
        for (let i = 0; i < schema.migrations.length; i++) await db.undoLastMigration();
        const tables = await db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT IN ('migrations', 'typeorm_metadata')`);
        expect(tables).toEqual([]);
      } finally {
        await db.destroy();
      }
    },
  );
});
