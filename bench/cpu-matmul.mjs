// CPU matmul in one Node process: gradbox's wasm backend (one thread, and all threads) and js backend
// against tfjs's wasm backend (one thread) and jax-js's wasm backend (one thread in Node), same inputs.
// Every result is checked against gradbox's js backend before it is timed; the peers then run in turns,
// REPS rounds, and each one's best round is kept (other processes share the cores, and the best run is the
// one they disturbed least). Run: npm run build && node bench/cpu-matmul.mjs (SIZES=256,512,1024 REPS=5
// PEERS=wasm-1t,wasm,js,tfjs-wasm,jax-wasm; a size is n for n x n x n or MxKxN, e.g. 1x4096x4096)
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { init as jaxInit, numpy as np, defaultDevice } from '@jax-js/jax';
import { createContext } from '../dist/gradbox.js';

const SIZES = (process.env.SIZES ?? '256,512,1024')
  .split(',')
  .map((s) => (s.includes('x') ? s.split('x').map(Number) : [+s, +s, +s]));
const REPS = Number(process.env.REPS ?? 5);
const PEERS = (process.env.PEERS ?? 'wasm-1t,wasm,js,tfjs-wasm,jax-wasm').split(',');

function lcgData(n, seed) {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}

function maxRelErr(a, b) {
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  return worst;
}

async function gradboxPeer(backend, threads) {
  const gb = await createContext({ backend, threads });
  return {
    name: `gradbox ${backend}${threads ? ` (${threads} thread)` : ''}`,
    async prepare(a, b, [M, K, N]) {
      const [ta, tb] = [gb.tensor(a, [M, K]), gb.tensor(b, [K, N])];
      return {
        async run() {
          const c = ta.matmul(tb);
          await gb.sync();
          c.dispose();
        },
        async result() {
          const c = ta.matmul(tb);
          const d = await c.data();
          c.dispose();
          return d;
        },
        dispose: () => [ta, tb].forEach((t) => t.dispose()),
      };
    },
  };
}

async function tfjsWasmPeer() {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setThreadsCount(1);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs could not start its wasm backend');
  await tf.ready();
  return {
    name: 'tfjs wasm (1 thread)',
    async prepare(a, b, [M, K, N]) {
      const [ta, tb] = [tf.tensor2d(a, [M, K]), tf.tensor2d(b, [K, N])];
      return {
        async run() {
          const c = tf.matMul(ta, tb);
          c.dataSync(); // the wasm backend is synchronous: this is a no-op wait, and a copy of the output
          c.dispose();
        },
        async result() {
          const c = tf.matMul(ta, tb);
          const d = await c.data();
          c.dispose();
          return d;
        },
        dispose: () => [ta, tb].forEach((t) => t.dispose()),
      };
    },
  };
}

async function jaxWasmPeer() {
  await jaxInit('wasm');
  defaultDevice('wasm');
  return {
    name: 'jax-js wasm',
    async prepare(a, b, [M, K, N]) {
      const [ja, jb] = [np.array(a).reshape([M, K]), np.array(b).reshape([K, N])];
      return {
        async run() {
          const c = np.matmul(ja.ref, jb.ref);
          await c.blockUntilReady();
          c.dispose();
        },
        async result() {
          return new Float32Array(await np.matmul(ja.ref, jb.ref).data());
        },
        dispose: () => [ja, jb].forEach((t) => t.dispose()),
      };
    },
  };
}

const makers = {
  'wasm-1t': () => gradboxPeer('wasm', 1),
  wasm: () => gradboxPeer('wasm'),
  js: () => gradboxPeer('js'),
  'tfjs-wasm': tfjsWasmPeer,
  'jax-wasm': jaxWasmPeer,
};
const peers = [];
for (const p of PEERS) peers.push(await makers[p]());
const ref = await gradboxPeer('js');

console.log(`Node ${process.version}; best of ${REPS} after a warm-up\n`);
console.log(
  `| M x K x N | ${peers.map((p) => p.name).join(' | ')} | wasm 1 thread / tfjs wasm | wasm 1 thread / jax-js wasm | wasm 1 thread / js |`,
);
console.log(`|---|${peers.map(() => '---|').join('')}---|---|---|`);
for (const mkn of SIZES) {
  const [M, K, N] = mkn;
  const flops = 2 * M * K * N;
  const a = lcgData(M * K, 1);
  const b = lcgData(K * N, 2);
  const r = await ref.prepare(a, b, mkn);
  const want = await r.result();
  r.dispose();
  // Prepare and check every peer, then time them in turns (one run each per round), so that a burst of
  // other work on the machine falls on all of them alike; the best round of each is kept.
  const handles = [];
  for (const p of peers) {
    const h = await p.prepare(a, b, mkn);
    const err = maxRelErr(await h.result(), want);
    if (!(err < 1e-3)) throw new Error(`${p.name} ${mkn.join('x')}: wrong result (max rel. error ${err})`);
    await h.run(); // warm-up
    handles.push(h);
  }
  const bestMs = peers.map(() => Infinity);
  for (let rep = 0; rep < REPS; rep++) {
    for (const [i, p] of peers.entries()) {
      // The js backend takes seconds per run from 1024 up: one run is enough to know its speed.
      if (p.name === 'gradbox js' && flops >= 2e9 && rep > 0) continue;
      const t0 = performance.now();
      await handles[i].run();
      bestMs[i] = Math.min(bestMs[i], performance.now() - t0);
    }
  }
  handles.forEach((h) => h.dispose());
  const gflops = Object.fromEntries(peers.map((p, i) => [p.name, flops / bestMs[i] / 1e6]));
  const g = gflops['gradbox wasm (1 thread)'];
  const ratio = (peer) => (g && gflops[peer] ? `${(g / gflops[peer]).toFixed(2)}x` : '-');
  console.log(
    `| ${mkn.join(' x ')} | ${peers.map((p) => `${gflops[p.name].toFixed(1)} GFLOP/s`).join(' | ')} | ${ratio('tfjs wasm (1 thread)')} | ${ratio('jax-js wasm')} | ${ratio('gradbox js')} |`,
  );
}
process.exit(0);
