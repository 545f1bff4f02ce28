// Property tests: over random shapes and values, the WebGPU and wasm backends each equal the TypeScript
// backend within tolerance for broadcasting binary ops, matmul, reductions, the softmax family and
// transpose, on shapes past the kernels' workgroup and tile sizes and on rows long enough to be split into
// chunks. (test/wasm-properties.test.ts adds shapes past the wasm kernels' own tiles and blocks.)
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNARY_OPS } from '../src/backends/backend';
import { type Context, createContext, type Tensor } from '../src/index';
import { skipWebgpu } from './helpers/backends';
import { expectClose, randomData } from './helpers/close';

const RUNS = 40;
const LONG_RUNS = 15;
const EXACT = { rtol: 0, atol: 0 };

const dim = fc.integer({ min: 1, max: 9 });
// A long axis crosses the workgroup sizes (64 for softmax, 256 for reductions, elementwise and layout
// kernels), with their edges drawn often; over all elements, (300,9) and beyond pass the 2048 above which
// reductions and logSumExp split a row into chunks. Short axes beside it keep totals <= 300*9*9 = 24300.
const longDim = fc.oneof(
  fc.integer({ min: 10, max: 300 }),
  fc.constantFrom(63, 64, 65, 127, 128, 129, 255, 256, 257),
);
/** A shape of 1 to 4 short axes, or a long axis among up to 2 short ones (at a random position). */
const shapeArb = fc.oneof(
  fc.array(dim, { minLength: 1, maxLength: 4 }),
  fc.tuple(fc.array(dim, { maxLength: 2 }), longDim, fc.nat()).map(([short, n, at]) => {
    const i = at % (short.length + 1);
    return [...short.slice(0, i), n, ...short.slice(i)];
  }),
);
// Subnormal floats are replaced by 0: WGSL lets GPUs flush them to zero, and SwiftShader does, while
// the CPU keeps them; that difference is documented, not a bug to find here.
const FLT_MIN = 1.1754943508222875e-38;
// fast-check's floats are mostly 0, tiny or +-100 (the edges that find bugs), so a kernel that drops or
// doubles an element of a long row would rarely show; half the draws are dense uniform values in
// [-100, 100) from a seed instead, where every element counts.
const values = (n: number) =>
  fc.oneof(
    fc
      .float32Array({ minLength: n, maxLength: n, noNaN: true, min: -100, max: 100 })
      .map((a) => a.map((v) => (Math.abs(v) < FLT_MIN ? 0 : v))),
    fc.integer().map((seed) => randomData(n, seed, 100)),
  );

/** A shape, values for it, and one of its axes (negative ones included). */
const tensorWithAxis = shapeArb.chain((s) =>
  fc.tuple(
    fc.constant(s),
    values(s.reduce((x, y) => x * y, 1)),
    fc.integer({ min: -s.length, max: s.length - 1 }),
  ),
);

/**
 * Tolerance for a float32 sum compared with the CPU's float64 one: the GPU adds at most ~2048 terms in
 * order (a thread per output or per chunk), so its error is ~sqrt(2048) ulps of the sum of |x| in
 * practice (n ulps in the worst case); 2e-5 of the tensor's sum of |x| (~330 ulps) bounds that and
 * still fails on one dropped or doubled element of typical size in a tensor of up to 24300 elements.
 */
const sumTolerance = (d: Float32Array) => ({
  rtol: 1e-5,
  atol: 2e-5 * d.reduce((a, v) => a + Math.abs(v), 0),
});

/**
 * Tolerance for a float32 mean along `axis` (all elements when undefined) of a tensor of shape `s`: the
 * mean is the sum divided by the reduced length L, so its error is the sum's error over L. The sum's
 * bound above, taken per output (2e-5 of the largest sum of |x| along the reduced axis, never more than
 * sumTolerance's), divided by L; rtol covers the division's rounding. Dividing by L matters: the means
 * are ~L times smaller than the sums, and sumTolerance would accept any mean of a long row.
 */
function meanTolerance(
  d: Float32Array,
  s: readonly number[],
  axis: number | undefined,
): { rtol: number; atol: number } {
  if (axis === undefined) return { rtol: 1e-5, atol: sumTolerance(d).atol / d.length };
  const ax = axis < 0 ? axis + s.length : axis;
  const len = s[ax];
  const inner = s.slice(ax + 1).reduce((x, y) => x * y, 1);
  const outer = d.length / (len * inner);
  let largest = 0;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let abs = 0;
      for (let k = 0; k < len; k++) abs += Math.abs(d[(o * len + k) * inner + i]);
      largest = Math.max(largest, abs);
    }
  }
  return { rtol: 1e-5, atol: (2e-5 * largest) / len };
}

/**
 * One to three long rows side by side, the long axis first or last: past 2048 elements (twice the 1024
 * per thread) a row is split into chunks by the reduce and softmax kernels on the GPU.
 */
const longRows = fc
  .tuple(
    fc.oneof(fc.integer({ min: 2049, max: 8000 }), fc.constantFrom(2048, 2049, 3072, 3073, 4097)),
    fc.integer({ min: 1, max: 3 }),
    fc.boolean(),
  )
  .chain(([n, rows, longLast]) =>
    fc.tuple(fc.constant(longLast ? [rows, n] : [n, rows]), values(n * rows), fc.constant(longLast ? 1 : 0)),
  );

/** A shape and a second shape that broadcasts against it (some axes set to 1 or dropped). */
const broadcastPair = shapeArb.chain((s) =>
  fc
    .tuple(
      fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }),
      fc.integer({ min: 0, max: s.length - 1 }),
    )
    .map(([ones, drop]) => [s, s.map((d, i) => (ones[i] ? 1 : d)).slice(drop)] as const),
);

for (const backend of ['webgpu', 'wasm'] as const) {
  // Reason for the skip: no WebGPU adapter on a developer machine; CI never skips (see helpers/backends).
  describe.skipIf(backend === 'webgpu' && skipWebgpu)(`${backend} equals js on random inputs`, () => {
    let cpu: Context;
    let gpu: Context;
    beforeAll(async () => {
      cpu = await createContext({ backend: 'js' });
      gpu = await createContext({ backend });
    });
    afterAll(() => {
      cpu.dispose();
      gpu.dispose();
    });

    /** Runs f on both contexts with the same data and compares the results. */
    async function same(
      f: (gb: Context) => ReturnType<Context['tensor']>,
      tol = { rtol: 1e-5, atol: 1e-5 },
      what = `${backend} vs js`,
    ): Promise<void> {
      const [a, b] = [cpu.tidy(() => f(cpu)), gpu.tidy(() => f(gpu))];
      expect(b.shape).toEqual(a.shape);
      expectClose(await b.data(), await a.data(), tol, what);
      a.dispose();
      b.dispose();
    }

    it('binary ops broadcast the same way', async () => {
      await fc.assert(
        fc.asyncProperty(
          broadcastPair.chain(([sa, sb]) =>
            fc.tuple(
              fc.constant(sa),
              fc.constant(sb),
              values(sa.reduce((x, y) => x * y, 1)),
              values(sb.reduce((x, y) => x * y, 1)),
              fc.constantFrom('add', 'sub', 'mul', 'maximum', 'less', 'equal'),
              fc.boolean(),
            ),
          ),
          async ([sa, sb, da, db, op, swap]) => {
            await same((gb) => {
              const [x, y] = [gb.tensor(da, sa), gb.tensor(db, sb)];
              const [l, r] = swap ? [y, x] : [x, y];
              return (l as unknown as Record<string, (o: unknown) => ReturnType<Context['tensor']>>)[op](r);
            });
          },
        ),
        { numRuns: RUNS },
      );
    });

    // Every unary function but tan: near its poles tan turns a last-bit difference in the argument
    // reduction into any relative error at all, which says nothing about the kernel.
    const UNARY = UNARY_OPS.filter((op) => op !== 'tan');
    it('unary functions agree (every one in UNARY_OPS except tan)', async () => {
      await fc.assert(
        fc.asyncProperty(
          shapeArb.chain((s) =>
            fc.tuple(fc.constant(s), values(s.reduce((x, y) => x * y, 1)), fc.constantFrom(...UNARY)),
          ),
          async ([shape, data, op]) => {
            // A few float32 ulps: the GPU's own polynomials against the CPU's float64 Math, rounded.
            await same(
              (gb) =>
                (gb.tensor(data, shape) as unknown as Record<string, () => Tensor>)[
                  op === 'copy' ? 'clone' : op
                ](),
              { rtol: 1e-5, atol: 1e-6 },
              op,
            );
          },
        ),
        { numRuns: RUNS },
      );
    });

    it('matmul, including batches', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.tuple(
            fc.integer({ min: 1, max: 3 }),
            // M and N past two 64-wide output tiles (32 wide on software adapters), K past several
            // 16-deep steps of the tiled kernels.
            fc.integer({ min: 1, max: 140 }),
            fc.integer({ min: 1, max: 100 }),
            fc.integer({ min: 1, max: 140 }),
            fc.boolean(),
          ),
          async ([batch, M, K, N, batchB]) => {
            const a = Float32Array.from({ length: batch * M * K }, (_, i) => Math.sin(i * 12.9898) * 2);
            const b = Float32Array.from({ length: (batchB ? batch : 1) * K * N }, (_, i) =>
              Math.cos(i * 78.233),
            );
            await same(
              (gb) => gb.tensor(a, [batch, M, K]).matmul(gb.tensor(b, batchB ? [batch, K, N] : [K, N])),
              { rtol: 1e-4, atol: 1e-4 },
            );
          },
        ),
        { numRuns: RUNS },
      );
    });

    it('reductions along any axis or over all, with keepDims', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.tuple(
            tensorWithAxis,
            fc.constantFrom('sum', 'mean', 'max', 'min', 'argmax', 'argmin'),
            fc.boolean(),
            fc.boolean(),
          ),
          async ([[s, d, axis], op, keep, all]) => {
            // Over all elements, long tensors take the chunked two-pass path.
            const ax = all ? undefined : axis;
            // max, min and their indices select an element and do no arithmetic: equal bits, and the same
            // index on ties as the CPU. Sums carry float32 rounding, means that rounding over the length.
            const tol = op === 'sum' ? sumTolerance(d) : op === 'mean' ? meanTolerance(d, s, ax) : EXACT;
            await same(
              (gb) =>
                (
                  gb.tensor(d, s) as unknown as Record<
                    string,
                    (a: number | undefined, k: boolean) => ReturnType<Context['tensor']>
                  >
                )[op](ax, keep),
              tol,
              `${backend} vs js: ${op} axis ${String(ax)}`,
            );
          },
        ),
        { numRuns: RUNS },
      );
    });

    it('softmax, logSoftmax, logSumExp and transpose', async () => {
      await fc.assert(
        fc.asyncProperty(tensorWithAxis, async ([s, d, axis]) => {
          await same((gb) => gb.tensor(d, s).softmax(axis), { rtol: 1e-4, atol: 1e-6 });
          await same((gb) => gb.tensor(d, s).logSoftmax(axis), { rtol: 1e-5, atol: 1e-4 });
          await same((gb) => gb.tensor(d, s).logSumExp(axis), { rtol: 1e-5, atol: 1e-4 });
          // One row of every element: past 2048 of them, chunked on the GPU.
          await same((gb) => gb.tensor(d, s).logSumExp(), { rtol: 1e-5, atol: 1e-4 });
          await same((gb) => gb.tensor(d, s).transpose(), { rtol: 0, atol: 0 });
        }),
        { numRuns: RUNS },
      );
    });

    it('long rows (split into chunks on the GPU): reductions and the softmax family along them and over all', async () => {
      type Op = (t: ReturnType<Context['tensor']>, axis: number | undefined) => ReturnType<Context['tensor']>;
      type Tol = { rtol: number; atol: number };
      const ops: [
        string,
        Op,
        Tol | ((d: Float32Array, s: readonly number[], a: number | undefined) => Tol),
      ][] = [
        ['sum', (t, a) => t.sum(a), (d) => sumTolerance(d)],
        // The sum's error over the row length (see meanTolerance): these means are of order 1, below the
        // sum's atol of a long row (2 and more), which would accept any of them.
        ['mean', (t, a) => t.mean(a), meanTolerance],
        ['max', (t, a) => t.max(a), EXACT],
        ['min', (t, a) => t.min(a), EXACT],
        ['argmax', (t, a) => t.argmax(a), EXACT],
        ['argmin', (t, a) => t.argmin(a), EXACT],
        ['logSumExp', (t, a) => t.logSumExp(a), { rtol: 1e-5, atol: 1e-4 }],
      ];
      await fc.assert(
        fc.asyncProperty(longRows, async ([s, d, axis]) => {
          for (const [name, f, tol] of ops) {
            for (const a of [axis, undefined]) {
              await same(
                (gb) => f(gb.tensor(d, s), a),
                typeof tol === 'function' ? tol(d, s, a) : tol,
                `${backend} vs js: ${name} axis ${String(a)}`,
              );
            }
          }
          await same(
            (gb) => gb.tensor(d, s).softmax(axis),
            { rtol: 1e-4, atol: 1e-6 },
            `${backend} vs js: softmax`,
          );
          await same(
            (gb) => gb.tensor(d, s).logSoftmax(axis),
            { rtol: 1e-5, atol: 1e-4 },
            `${backend} vs js: logSoftmax`,
          );
        }),
        { numRuns: LONG_RUNS },
      );
    });
  });
}
