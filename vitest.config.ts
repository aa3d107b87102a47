import { defineConfig } from 'vitest/config';

// Unit tests are pure and parallel. Integration and e2e tests drive real processes
// (ffmpeg, node-media-server, nginx-rtmp, HAProxy, Chromium) on a 2-core machine,
// so they run one file at a time: timing assertions must not fight each other for CPU. They run the
// compiled node and CLIs (dist/), which their globalSetup builds first.
const BUILD = 'test/support/build-for-tests.ts';
// The e2e project also builds the presenter UI once for the run (test/support/renderer-build.ts).
const BUILD_E2E = 'test/support/build-for-e2e.ts';
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: [BUILD],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: [BUILD_E2E],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
