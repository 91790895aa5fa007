import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'pg';
import { Entity } from 'typeorm';
import { createDataSource, openDatabase } from '../subgraphs/kit/data-source';
import { ProcessingRecord } from '../subgraphs/kit/department/processing.record';
import { StatusChange } from '../subgraphs/kit/department/status-change.entity';
import { kitMigrations } from '../subgraphs/kit/department/migrations';
import { AuditRecord } from '../subgraphs/kit/audit/audit-record.entity';
import { auditMigrations } from '../subgraphs/kit/audit/migrations';
import { MESSAGING_ENTITIES } from '../subgraphs/kit/messaging/messaging.entities';
import { messagingMigrations } from '../subgraphs/kit/messaging/migrations';
import { PROJECT_ROOT } from '../subgraphs/kit/paths';
import { databaseOf } from '../subgraphs/kit/subgraph';
import { subgraph } from '../subgraphs/registry';

/**
 * Writes the migration that takes a subgraph's database from its current migrations to its entities,
 * as TypeORM's schema builder computes it, into a scratch database that is dropped afterwards.
 *   npm run migration:generate -- <subgraph|kit|kit-audit|kit-messaging> <Name>
 */
@Entity('processing')
class BareProcessing extends ProcessingRecord {}

async function main(): Promise<void> {
  const [target, name] = process.argv.slice(2);
  if (!target || !/^[A-Z][A-Za-z]+$/.test(name ?? '')) throw new Error('usage: migration:generate <subgraph|kit> <PascalName>');
  const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const scratch = `motcua_migration_${process.pid}`;
  const url = new URL(server);
  url.pathname = `/${scratch}`;
  const kit = target === 'kit';
  const audit = target === 'kit-audit';
  const messaging = target === 'kit-messaging';
  const m = kit || audit || messaging ? null : await subgraph(target).load();
  const ds = createDataSource({
    url: url.toString(),
    entities: messaging ? MESSAGING_ENTITIES : audit ? [AuditRecord] : kit ? [BareProcessing, StatusChange] : databaseOf(m!).entities,
    migrations: messaging ? messagingMigrations : audit ? auditMigrations : kit ? kitMigrations : databaseOf(m!).migrations,
  });
  const admin = new Client({ connectionString: server });
  await admin.connect();
  try {
    await openDatabase(ds, url.toString());
    const sql = await ds.driver.createSchemaBuilder().log();
    await ds.destroy();
    if (sql.upQueries.length === 0) {
      console.log('entities and migrations agree: nothing to generate');
      return;
    }
    const stamp = Date.now();
    const cls = `${name}${stamp}`;
    const q = (s: string) => '`' + s.replace(/`/g, '\\`') + '`';
    const body = `import { MigrationInterface, QueryRunner } from 'typeorm';

export class ${cls} implements MigrationInterface {
  name = '${cls}';

  async up(q: QueryRunner): Promise<void> {
${sql.upQueries.map((u) => `    await q.query(${q(u.query)}${u.parameters?.length ? `, ${JSON.stringify(u.parameters)}` : ''});`).join('\n')}
  }

  async down(q: QueryRunner): Promise<void> {
${sql.downQueries.reverse().map((d) => `    await q.query(${q(d.query)}${d.parameters?.length ? `, ${JSON.stringify(d.parameters)}` : ''});`).join('\n')}
  }
}
`;
    const dir = messaging
      ? join(PROJECT_ROOT, 'subgraphs/kit/messaging/migrations')
      : audit
      ? join(PROJECT_ROOT, 'subgraphs/kit/audit/migrations')
      : kit
        ? join(PROJECT_ROOT, 'subgraphs/kit/department/migrations')
        : join(PROJECT_ROOT, 'subgraphs', target, 'migrations');
    const file = join(dir, `${stamp}-${name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}.ts`);
    await writeFile(file, body);
    console.log(`wrote ${file}`);
  } finally {
    if (ds.isInitialized) await ds.destroy();
    await admin.query(`DROP DATABASE IF EXISTS "${scratch}"`);
    await admin.end();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
