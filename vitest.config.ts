import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration files each start their own servers and Redis prefix; two cores, so keep it modest.
    pool: 'forks',
    maxWorkers: 2,
  },
});
