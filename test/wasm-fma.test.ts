// The wasm backend's kernels with relaxed SIMD's multiply-add (the default where the engine has it: every
// current browser, Node 22+) against the TypeScript backend, and the same kernels without it. Node 20
// has relaxed SIMD behind a V8 flag, set here for this file's process before any module is compiled.
import { setFlagsFromString } from 'node:v8';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { MatmulPlan } from '../src/backends/backend';
import { CpuBackend } from '../src/backends/cpu/cpu_backend';
import { relaxedSimdAvailable } from '../src/backends/wasm/support';
import { WasmBackend } from '../src/backends/wasm/wasm_backend';
import { expectClose, randomData } from './helpers/close';

setFlagsFromString('--experimental-wasm-relaxed-simd');

let fused: WasmBackend;
let plain: WasmBackend;
const js = new CpuBackend();
beforeAll(async () => {
  fused = await WasmBackend.create({ threads: 1 });
  plain = await WasmBackend.create({ threads: 1, fma: false });
});
afterAll(() => {
  fused.dispose();
  plain.dispose();
});

it('the engine validates relaxed SIMD here, and the default backend uses it', () => {
  expect(relaxedSimdAvailable()).toBe(true);
  expect(fused.fma).toBe(true);
  expect(fused.description).toMatch(/relaxed-SIMD multiply-add/);
  expect(plain.fma).toBe(false);
});

it('matmul with and without multiply-add equals the TypeScript backend past the tiles and blocks', async () => {
  const dim = fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 10, max: 130 }));
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        M: dim,
        K: fc.oneof(dim, fc.constantFrom(256, 257, 300)),
        N: dim,
        tA: fc.boolean(),
        tB: fc.boolean(),
        seed: fc.integer(),
      }),
      async ({ M, K, N, tA, tB, seed }) => {
        // Operands stored as (M,K)/(K,N) or transposed, read through strides as the backward pass does.
        const plan: MatmulPlan = {
          batch: 1,
          M,
          K,
          N,
          a: tA ? { batch: 0, row: 1, col: M } : { batch: 0, row: K, col: 1 },
          b: tB ? { batch: 0, row: 1, col: K } : { batch: 0, row: N, col: 1 },
        };
        const da = randomData(M * K, seed, 1);
        const db = randomData(K * N, seed + 1, 1);
        const want = await js.read(js.matmul(js.upload(da), js.upload(db), plan));
        for (const be of [fused, plain]) {
          const [a, b] = [be.upload(da), be.upload(db)];
          const c = be.matmul(a, b, plan);
          // Float32 sums of K products in [-1, 1], fused or not: ~sqrt(K) ulps of K.
          const tol = { rtol: 1e-5, atol: 1e-5 * (1 + Math.sqrt(K)) };
          expectClose(
            await be.read(c),
            want,
            tol,
            `${be.fma ? 'fused' : 'plain'} (${M},${K},${N}) ${tA} ${tB}`,
          );
          [a, b, c].forEach((s) => be.free(s));
        }
      },
    ),
    { numRuns: 40 },
  );
});

it('exp, sigmoid, tanh and the softmax family with multiply-add stay within their ulps of the reference', async () => {
  // Around exp's overflow and subnormal range, infinities, NaN, zeros, and random values at three scales.
  const edges = [
    0,
    -0,
    0.5,
    -0.625,
    20,
    -20,
    88.7,
    88.73,
    -87.4,
    -100,
    -103.9,
    Infinity,
    -Infinity,
    Number.NaN,
  ];
  const data = Float32Array.from([...edges, ...randomData(300, 1, 1), ...randomData(300, 2, 30)]);
  for (const op of ['exp', 'sigmoid', 'tanh'] as const) {
    const want = await js.read(js.unary(op, js.upload(data)));
    for (const be of [fused, plain]) {
      const x = be.upload(data);
      const y = be.unary(op, x);
      // Within 2 float32 ulps of the rounded float64 value (3e-7), or of the smallest subnormal.
      expectClose(await be.read(y), want, { rtol: 3e-7, atol: 3e-45 }, `${op} ${be.fma ? 'fused' : 'plain'}`);
      be.free(x);
      be.free(y);
    }
  }
  const rows = randomData(37 * 129, 3, 10);
  for (const mode of ['softmax', 'logSoftmax', 'logSumExp'] as const) {
    const want = await js.read(js.softmax(mode, js.upload(rows), 37, 129, 1));
    const x = fused.upload(rows);
    const y = fused.softmax(mode, x, 37, 129, 1);
    // softmax's exp is within 3 ulps; the sum and the scaling add a few roundings more.
    expectClose(await fused.read(y), want, { rtol: 2e-6, atol: 1e-7 }, mode);
    fused.free(x);
    fused.free(y);
  }
});
