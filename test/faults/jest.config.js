/**
 * npm run test:faults: the fault suite alone. It runs its own PostgreSQL server and the system as processes, for
 * a few minutes, so it is not part of `npm test` (whose config matches *.test.ts only).
 */
module.exports = {
  rootDir: '../..',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/faults'],
  testMatch: ['**/*.faults.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
  setupFiles: ['reflect-metadata'],
  testTimeout: 60000,
  maxWorkers: 1,
};
