// The same suites in Node, through the `webgpu` package (Dawn): gradbox on WebGPU and on its CPU backends
// (wasm, js), and as peers tfjs's cpu and wasm backends (one thread) and jax-js's wasm device; for linalg,
// also ml-matrix.
// Built by `npm run bench -- --node-suites` (Vite SSR build) and run under the tests' WebGPU set-up.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createContext } from '../src/index';
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { gradboxLib } from './libs-core';
import { jaxLib } from './libs-jax';
import { mlMatrixLib } from './libs-mlmatrix';
import { tfjsLib } from './libs-tfjs';
import { BenchRun } from './runner';
import { cases } from './suites';
import { gradboxStats, jaxStats, runStatsSuite, tfjsStats } from './stats-libs';

const quick = process.argv.includes('--quick');
const run = new BenchRun(quick, (line) => console.log(`  ${line}`));
const probe = await createContext({ backend: 'webgpu' });
const adapter = probe.backendReason.replace('WebGPU on ', '');
probe.dispose();
console.log(`Node ${process.version}; adapter: ${adapter}; ${quick ? 'quick' : 'full'} set`);
const all = cases(quick);
for (const suite of ['matmul', 'reductions', 'elementwise', 'scan'] as const) {
  const peers = [
    gradboxLib('webgpu'),
    gradboxLib('wasm'),
    gradboxLib('wasm', undefined, 1),
    gradboxLib('js'),
    tfjsLib('cpu'),
    tfjsLib('wasm', () => {
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // single-threaded, as on the page
      setThreadsCount(1);
    }),
    jaxLib('wasm'),
  ];
  for (const lib of peers) {
    await run.runLib(
      lib,
      all.filter((c) => c.suite === suite),
      suite,
    );
  }
}
for (const lib of [
  gradboxLib('webgpu'),
  gradboxLib('wasm'),
  gradboxLib('js'),
  jaxLib('wasm'),
  mlMatrixLib(),
]) {
  await run.runLib(
    lib,
    all.filter((c) => c.suite === 'linalg'),
    'linalg',
  );
}
// Statistics (bench/stats.ts): no tfjs webgpu/wasm or jax-js webgpu in Node.
await runStatsSuite(run, quick, [
  gradboxStats('webgpu'),
  gradboxStats('wasm'),
  gradboxStats('js'),
  tfjsStats(tfjsLib('cpu')),
  jaxStats('wasm'),
]);
const date = new Date().toISOString();
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/${date.slice(0, 10)}-node-${adapter
  .split(' / ')
  .slice(0, 2)
  .join('-')
  .replace(/[^\w-]+/g, '')}${quick ? '-quick' : ''}.json`;
writeFileSync(
  file,
  `${JSON.stringify({ date, runtime: `Node ${process.version}`, adapter, quick, rows: run.rows, errors: run.errors }, null, 2)}\n`,
);
console.log(`\nwrote ${file}`);
if (run.errors.length || run.rows.some((r) => r.check?.startsWith('WRONG'))) process.exit(1);
