import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Cluster tests build and run a Temporal cluster: `npm run test:cluster` (vitest.cluster.config.ts).
    exclude: [...configDefaults.exclude, 'test/cluster/**'],
    // The Temporal native bridge crashes in worker threads: always run test files in forked processes.
    pool: 'forks',
    // One Temporal dev server and one workflow bundle for the whole run.
    globalSetup: ['test/global-setup.ts'],
    // Integration tests share two cores with each other; generous limits keep a slow machine from failing them.
    testTimeout: 300_000,
    hookTimeout: 180_000,
  },
});
