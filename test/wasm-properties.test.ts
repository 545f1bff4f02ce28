// Property tests: over random shapes and values, the wasm backend's SIMD kernels equal the TypeScript
// backend within float32 tolerance, on shapes past the kernels' tiles and blocks (the 4 x 8 micro-kernel,
// 96-row and 256-deep blocks, 16-wide vector loops), with transposed and broadcast operands.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Context, createContext, type Tensor } from '../src/index';
import { matmulCore } from '../src/ops/matmul';
import { expectClose, randomData } from './helpers/close';

const RUNS = 40;

let js: Context;
let wasm: Context;
beforeAll(async () => {
  js = await createContext({ backend: 'js' });
  wasm = await createContext({ backend: 'wasm' });
});
afterAll(() => {
  js.dispose();
  wasm.dispose();
});

/** Runs f on both contexts with the same data and compares the wasm result with the js one. */
async function same(f: (gb: Context) => Tensor, tol: { rtol: number; atol: number }, what: string) {
  const [a, b] = [js.tidy(() => f(js)), wasm.tidy(() => f(wasm))];
  try {
    expect(b.shape).toEqual(a.shape);
    expectClose(await b.data(), await a.data(), tol, what);
  } finally {
    a.dispose();
    b.dispose();
  }
  expect(wasm.memory().tensors).toBe(0);
}

/** A dimension: small ones (the edges of every tile) or past a tile, a block or a vector loop. */
const dim = fc.oneof(
  fc.integer({ min: 1, max: 9 }),
  fc.constantFrom(15, 16, 17, 31, 33, 95, 96, 97, 100),
  fc.integer({ min: 10, max: 130 }),
);
/** K: also past the 256-deep block (two blocks, the second one accumulating). */
const depth = fc.oneof(dim, fc.constantFrom(255, 256, 257, 300, 513));

describe('wasm equals js on random inputs', () => {
  it('matmul: any M, K, N, transposed operands, batches with one side broadcast', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          M: dim,
          K: depth,
          N: dim,
          tA: fc.boolean(),
          tB: fc.boolean(),
          batch: fc.constantFrom(0, 0, 2, 3),
          broadcastSide: fc.constantFrom('a', 'b', 'none'),
          seed: fc.integer(),
        }),
        async ({ M, K, N, tA, tB, batch, broadcastSide, seed }) => {
          const shapeOf = (rows: number, cols: number, t: boolean, own: boolean) => [
            ...(batch && own ? [batch] : []),
            ...(t ? [cols, rows] : [rows, cols]),
          ];
          const sa = shapeOf(M, K, tA, broadcastSide !== 'a');
          const sb = shapeOf(K, N, tB, broadcastSide !== 'b');
          const da = randomData(
            sa.reduce((x, y) => x * y, 1),
            seed,
            1,
          );
          const db = randomData(
            sb.reduce((x, y) => x * y, 1),
            seed + 1,
            1,
          );
          // Float32 sums of K products of values in [-1, 1], in another order than the js backend's
          // float64 ones: ~sqrt(K) ulps of K at most, well under 1e-5 * (1 + sqrt(K)) for K <= 513.
          const atol = 1e-5 * (1 + Math.sqrt(K));
          await same(
            (gb) => matmulCore(gb.tensor(da, sa), gb.tensor(db, sb), tA, tB),
            { rtol: 1e-5, atol },
            `(${sa})${tA ? '^T' : ''} @ (${sb})${tB ? '^T' : ''}`,
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('matmul with a single row or column (the matrix-vector kernels), plain and transposed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          rowCase: fc.boolean(),
          len: depth,
          K: depth,
          tA: fc.boolean(),
          tB: fc.boolean(),
          batch: fc.constantFrom(0, 2),
          seed: fc.integer(),
        }),
        async ({ rowCase, len, K, tA, tB, batch, seed }) => {
          const [M, N] = rowCase ? [1, len] : [len, 1];
          const b0 = batch ? [batch] : [];
          const sa = [...b0, ...(tA ? [K, M] : [M, K])];
          const sb = [...b0, ...(tB ? [N, K] : [K, N])];
          const da = randomData(
            sa.reduce((x, y) => x * y, 1),
            seed,
            1,
          );
          const db = randomData(
            sb.reduce((x, y) => x * y, 1),
            seed + 1,
            1,
          );
          await same(
            (gb) => matmulCore(gb.tensor(da, sa), gb.tensor(db, sb), tA, tB),
            { rtol: 1e-5, atol: 1e-5 * (1 + Math.sqrt(K)) },
            `(${sa})${tA ? '^T' : ''} @ (${sb})${tB ? '^T' : ''}`,
          );
        },
      ),
      { numRuns: RUNS },
    );
  });
});
