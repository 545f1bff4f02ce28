// Runs a benchmark script under the same WebGPU environment as the tests (see scripts/env.mjs).
// Usage: node scripts/bench.mjs bench/matmul.mjs
import { spawnSync } from 'node:child_process';
import { findChromium, webgpuEnv } from './env.mjs';

const [file, ...rest] = process.argv.slice(2);
const env = webgpuEnv(findChromium());
const r = spawnSync(process.execPath, [file, ...rest], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
