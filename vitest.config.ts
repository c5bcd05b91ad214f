import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file runs in its own process (vitest's default pool): chDB binds one data directory
    // per process, so files must not share one.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
