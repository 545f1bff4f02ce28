// Dev server and static build for the demos and the in-browser test page.
// The library itself is built by vite.lib.config.ts.
import { defineConfig } from 'vite';

export default defineConfig({
  root: '.',
  server: { host: '127.0.0.1' },
  build: { outDir: 'dist-demos' },
});
