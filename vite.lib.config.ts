// Builds the library for npm: one ES module that plain Node or any bundler can import, WGSL inlined.
// Types come from tsc (tsconfig.build.json); demos use vite.config.ts instead.
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    minify: false,
    lib: { entry: 'src/index.ts', formats: ['es'], fileName: () => 'gradbox.js' },
    rolldownOptions: { external: ['webgpu', /^node:/] },
  },
});
