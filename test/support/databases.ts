import { Client } from 'pg';
import { databaseName, SUBGRAPHS } from '../../subgraphs/registry';

export const TEST_SERVER = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432';

export function testDatabaseUrl(prefix: string, subgraph: string): string {
  const url = new URL(TEST_SERVER);
  url.pathname = `/${prefix}_${databaseName(subgraph).replace(/^motcua_/, '')}`;
  return url.toString();
}

export function testDatabaseUrls(prefix: string): Record<string, string> {
  return Object.fromEntries(SUBGRAPHS.map((s) => [s.name, testDatabaseUrl(prefix, s.name)]));
}

/** Drops every database whose name starts with `prefix_`. */
export async function dropDatabases(prefix: string): Promise<void> {
  const admin = new URL(TEST_SERVER);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${prefix}\\_%`]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export const uniquePrefix = (label: string) => `motcua_test_${label}_${process.pid}_${Date.now().toString(36)}`;
