// Dev server and static build for the demos (a multi-page app) and the in-browser test page.
// The library itself is built by vite.lib.config.ts.
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// Issue 13: cross-origin isolation (COOP/COEP) gives the pages SharedArrayBuffer, so the wasm backend runs
// on threads in the dev server, the preview of the built demos and the bench page.
const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: '.',
  base: './',
  server: { host: '127.0.0.1', headers: crossOriginIsolation },
  preview: { headers: crossOriginIsolation },
  build: {
    outDir: 'dist-demos',
    rolldownOptions: {
      input: {
        main: resolve(import.meta.dirname, 'index.html'),
        kernels: resolve(import.meta.dirname, 'demos/kernels/index.html'),
        linearRegression: resolve(import.meta.dirname, 'demos/linear-regression/index.html'),
        playground: resolve(import.meta.dirname, 'demos/playground/index.html'),
        // Issue 12: calculus and optimisation demos
        optimisers: resolve(import.meta.dirname, 'demos/optimisers/index.html'),
        calculus: resolve(import.meta.dirname, 'demos/calculus/index.html'),
        // Linear algebra demos (issue 10)
        linearAlgebra: resolve(import.meta.dirname, 'demos/linear-algebra/index.html'),
        pca: resolve(import.meta.dirname, 'demos/pca/index.html'),
        // Issue 11: probability demos
        distributions: resolve(import.meta.dirname, 'demos/distributions/index.html'),
        clt: resolve(import.meta.dirname, 'demos/clt/index.html'),
        bayes: resolve(import.meta.dirname, 'demos/bayes/index.html'),
        likelihood: resolve(import.meta.dirname, 'demos/likelihood/index.html'),
        hypothesisTests: resolve(import.meta.dirname, 'demos/hypothesis-tests/index.html'),
        bench: resolve(import.meta.dirname, 'bench/index.html'),
      },
    },
  },
});
