import { defineConfig } from 'vitest/config';

/**
 * `npm run test:cluster`: the tests that start a Temporal cluster of their own (PostgreSQL, separate
 * services, mutual TLS; cli/stack/cluster.ts). Kept out of `npm test`: a fresh machine first builds the
 * server from source (minutes), and each file starts and kills services. Same settings as vitest.config.ts
 * (the global setup still provides Azurite and the workflow bundle).
 */
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 900_000,
    // The first start on a fresh machine builds the Temporal server.
    hookTimeout: 1_800_000,
  },
});
