import { dropDatabases } from './databases';

export default async function globalTeardown(): Promise<void> {
  if (process.env.MOTCUA_TEST_DEMO_PREFIX) await dropDatabases(process.env.MOTCUA_TEST_DEMO_PREFIX);
}
