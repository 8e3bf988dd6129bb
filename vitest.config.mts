import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{server,shared,client}/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    // PGlite's first start and Neo4j connections take seconds on a busy 2-core machine.
    hookTimeout: 60_000,
    globalSetup: ['test/globalSetup.ts'],
    // fast-check's seed: fixed unless KOS_PROPERTY_SEED=random.
    setupFiles: ['test/propertySeed.ts'],
  },
});
