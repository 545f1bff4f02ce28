// Property tests: over random shapes and values, the wasm backend's SIMD kernels equal the TypeScript
// backend within float32 tolerance, on shapes past the kernels' tiles and blocks (the 4 x 8 micro-kernel,
// 96-row and 256-deep blocks, 16-wide vector loops), with transposed and broadcast operands.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPTIMIZER_RULES } from '../src/backends/backend';
import { SIMD_UNARY } from '../src/backends/wasm/kernels/elementwise';
import { type Context, createContext, optim, type Tensor } from '../src/index';
import { matmulCore } from '../src/ops/matmul';
import { expectClose, randomData } from './helpers/close';

const RUNS = 40;
const EXACT = { rtol: 0, atol: 0 };

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

  // Edge values of the SIMD functions: around exp's overflow (88.72) and the subnormal range (below
  // -87.3, to -103.97 where e^x rounds to 0), infinities, NaN, signed zeros, halves for round.
  const EDGES = [
    0,
    -0,
    0.5,
    -0.5,
    1.5,
    -2.5,
    1e-30,
    -1e-30,
    0.625,
    -0.625,
    9,
    -9,
    20,
    -20,
    88.7,
    88.72,
    88.73,
    89,
    -87.3,
    -87.4,
    -90,
    -100,
    -103.9,
    -104,
    -150,
    1e30,
    -1e30,
    Infinity,
    -Infinity,
    Number.NaN,
  ];
  const simdUnary = Object.keys(SIMD_UNARY) as (keyof typeof SIMD_UNARY)[];

  it('the SIMD unary functions (exp, sigmoid, tanh and the exact ones) on random and edge values', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          n: dim,
          op: fc.constantFrom(...simdUnary),
          scale: fc.constantFrom(1, 10, 100),
          seed: fc.integer(),
        }),
        async ({ n, op, scale, seed }) => {
          const data = Float32Array.from([...EDGES, ...randomData(n, seed, scale)]);
          // exp, sigmoid, tanh: polynomials within a few float32 ulps of the rounded float64 result (3e-7
          // relative), and within two of the smallest subnormal (1.4e-45) where exp's result is subnormal.
          // rsqrt rounds twice (sqrt, then the division): one ulp more than the float64 reference.
          const approx = op === 'exp' || op === 'sigmoid' || op === 'tanh';
          const tol = approx
            ? { rtol: 3e-7, atol: 3e-45 }
            : op === 'rsqrt'
              ? { rtol: 1.2e-7, atol: 0 }
              : EXACT;
          await same(
            (gb) =>
              (gb.tensor(data) as unknown as Record<string, () => Tensor>)[op === 'copy' ? 'clone' : op](),
            tol,
            op,
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('binary ops: broadcasts of rank 1 to 4, number operands, NaN in comparisons', async () => {
    const shapes = fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          shape: shapes,
          onesA: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
          onesB: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
          dropB: fc.integer({ min: 0, max: 3 }),
          numberSide: fc.constantFrom('none', 'none', 'a', 'b'),
          op: fc.constantFrom(
            'add',
            'sub',
            'mul',
            'div',
            'maximum',
            'minimum',
            'greater',
            'lessEqual',
            'equal',
            'notEqual',
          ),
          seed: fc.integer(),
        }),
        async ({ shape, onesA, onesB, dropB, numberSide, op, seed }) => {
          const sa = shape.map((d, i) => (onesA[i] ? 1 : d));
          const sb = shape.map((d, i) => (onesB[i] ? 1 : d)).slice(Math.min(dropB, shape.length - 1));
          const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
          // Small integers make ties (equal, maximum of equal values) and a NaN joins the comparisons.
          const da = randomData(size(sa), seed, 3).map((v, i) => (i === 1 ? Number.NaN : Math.round(v)));
          const db = randomData(size(sb), seed + 7, 3).map(Math.round);
          await same(
            (gb) => {
              const a = numberSide === 'a' ? 2 : gb.tensor(da, sa);
              const b = numberSide === 'b' ? -1 : gb.tensor(db, sb);
              const [l, r] = typeof a === 'number' ? [b as Tensor, a] : [a, b];
              return (l as unknown as Record<string, (o: unknown) => Tensor>)[op](r);
            },
            // One float32 rounding of the same operation on the same operands: equal bits.
            EXACT,
            `${op} (${sa}) (${sb}) number ${numberSide}`,
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('sums, means, max and min past the 1024-element blocks of a row and the 256-row blocks of a column', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          rows: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constantFrom(255, 256, 257, 600)),
          cols: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.constantFrom(1023, 1024, 1025, 3000)),
          axis: fc.constantFrom(0, 1),
          op: fc.constantFrom('sum', 'mean', 'max', 'min'),
          seed: fc.integer(),
        }),
        async ({ rows, cols, axis, op, seed }) => {
          const data = randomData(rows * cols, seed, 10);
          const len = axis === 0 ? rows : cols;
          // Blocked float32 sums carried in float64: ~sqrt(64) float32 roundings of partial sums of |x| <=
          // 10 * len: 1e-6 * 10 * len bounds that (means: over len); max and min select: exact.
          const tol =
            op === 'sum'
              ? { rtol: 1e-6, atol: 1e-5 * len }
              : op === 'mean'
                ? { rtol: 1e-6, atol: 1e-5 }
                : EXACT;
          await same(
            (gb) =>
              (gb.tensor(data, [rows, cols]) as unknown as Record<string, (a: number) => Tensor>)[op](axis),
            tol,
            `${op} of (${rows},${cols}) axis ${axis}`,
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('every optimiser rule: ten fused steps equal the TypeScript backend', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ rule: fc.constantFrom(...OPTIMIZER_RULES), n: dim, seed: fc.integer() }),
        async ({ rule, n, seed }) => {
          const make = {
            sgd: (gb: Context, ps: Tensor[]) => optim.sgd(gb, ps, { lr: 0.01, weightDecay: 0.01 }),
            momentum: (gb: Context, ps: Tensor[]) => optim.sgd(gb, ps, { lr: 0.01, momentum: 0.9 }),
            nesterov: (gb: Context, ps: Tensor[]) =>
              optim.sgd(gb, ps, { lr: 0.01, momentum: 0.9, nesterov: true }),
            rmsprop: (gb: Context, ps: Tensor[]) => optim.rmsprop(gb, ps, { lr: 0.01, weightDecay: 0.01 }),
            adam: (gb: Context, ps: Tensor[]) => optim.adam(gb, ps, { lr: 0.01, weightDecay: 0.01 }),
            adamw: (gb: Context, ps: Tensor[]) => optim.adamw(gb, ps, { lr: 0.01 }),
          }[rule];
          const run = async (gb: Context) => {
            const p = gb.tensor(randomData(n, seed, 1));
            const opt = make(gb, [p]);
            for (let i = 0; i < 10; i++) {
              // The loss sum(p * g) has gradient g: a fresh random gradient each step.
              const g = gb.tensor(randomData(n, seed + i + 1, 1));
              opt.step(() => p.mul(g).sum()).dispose();
              g.dispose();
            }
            const out = await p.data();
            opt.dispose();
            p.dispose();
            return out;
          };
          // Float32 arithmetic against the TypeScript backend's float64 (rounded per step): ten steps of
          // lr-sized updates differ by a few float32 ulps of the parameters.
          expectClose(await run(wasm), await run(js), { rtol: 1e-5, atol: 1e-6 }, rule);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('random numbers: the same Philox stream as the js backend, bit for bit, across a 2^32 counter carry', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          n: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constantFrom(63, 64, 65, 1027)),
          lo: fc.nat({ max: 2 ** 32 - 1 }),
          hi: fc.nat({ max: 2 ** 32 - 1 }),
          // Counters just below a multiple of 2^32 make block counters carry into their high word.
          counter: fc.oneof(fc.nat({ max: 1e6 }), fc.integer({ min: 2 ** 32 - 20, max: 2 ** 32 + 5 })),
          low: fc.integer({ min: -1000, max: 1000 }),
          range: fc.integer({ min: 1, max: 2 ** 24 }),
        }),
        async ({ n, lo, hi, counter, low, range }) => {
          const key = { lo, hi };
          const draws = [
            (e: Context['engine']) => e.random('uniform', key, counter, n),
            (e: Context['engine']) => e.random('normal', key, counter, n),
            (e: Context['engine']) => e.randint(key, counter, n, low, low + range),
          ];
          for (const [i, draw] of draws.entries()) {
            const [a, b] = [draw(js.engine), draw(wasm.engine)];
            // Integer arithmetic, then the same float64 functions rounded once: equal bits.
            expectClose(
              await wasm.engine.read(b),
              await js.engine.read(a),
              EXACT,
              ['uniform', 'normal', 'randint'][i],
            );
            js.engine.free(a);
            wasm.engine.free(b);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
