// Test runner settings. scripts/test.mjs sets up WebGPU for Node (Vulkan driver paths) before it runs vitest.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // SwiftShader runs shaders on the CPU: two cores are better spent on two test files at a time.
    maxWorkers: 2,
  },
});
