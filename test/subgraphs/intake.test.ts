import { createDataSource, DatabaseUnavailableError, openDatabase } from '../../subgraphs/kit/data-source';
import { devHandoverPrivateKey } from '../../subgraphs/kit/messaging/handover.keys';
import { createSubgraphServer } from '../../subgraphs/kit/server';
import { createLogger } from '../../subgraphs/kit/logger';
import intake from '../../subgraphs/intake/subgraph';
import { databaseOf } from '../../subgraphs/kit/subgraph';
import { nextDossierCode } from '../../subgraphs/intake/dossier-code.allocator';
import { localTime } from '../../subgraphs/kit/calendar/working-time';
import { dropDatabases, testDatabaseUrl, uniquePrefix } from '../support/databases';

describe('intake database', () => {
  const prefix = uniquePrefix('intake');
  afterAll(() => dropDatabases(prefix));

  it('when 40 dossiers are registered concurrently for one unit and day, then their codes are distinct and consecutive', async () => {
    const url = testDatabaseUrl(prefix, 'intake');
    const db = await openDatabase(createDataSource({ url, ...databaseOf(intake), poolSize: 20 }), url);
    try {
      const at = localTime('2020-04-23', 9);
      const codes = await Promise.all(Array.from({ length: 40 }, () => db.transaction((m) => nextDossierCode(m, '000.00.16.H56', at))));
      expect(new Set(codes).size).toBe(40);
      expect(codes.map((c) => Number(c.slice(-4))).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(codes[0]).toMatch(/^000\.00\.16\.H56-200423-\d{4}$/);
      const rolledBack = db.transaction(async (m) => {
        await nextDossierCode(m, '000.00.16.H56', at);
        throw new Error('intake refused');
      });
      await expect(rolledBack).rejects.toThrow('intake refused');
      expect(await db.transaction((m) => nextDossierCode(m, '000.00.16.H56', at))).toMatch(/-0041$/);
    } finally {
      await db.destroy();
    }
  });

  it('when the database server is unreachable, then starting fails with one line naming it', async () => {
    const start = createSubgraphServer(intake, { databaseUrl: 'postgres://postgres@127.0.0.1:1/motcua_intake', signingSecret: 'x'.repeat(32), handoverPublicKeyOf: () => undefined, peers: { baseUrl: () => undefined, privateKey: devHandoverPrivateKey }, log: createLogger('t', 'silent') });
    await expect(start).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await expect(start).rejects.toThrow(/^PostgreSQL at 127\.0\.0\.1:1 is not reachable/);
  });
});
