// Reductions and the softmax family on both backends against float64 references: all axes, lists of
// axes, negative axes, keepDims, long rows that take the chunked paths, NaN, ties, and large inputs;
// every WebGPU kernel rung forced on shapes around the workgroup sizes; the pure planners.
import { describe, expect, it } from 'vitest';
import { reducePlan, softmaxPlan } from '../src/backends/webgpu/kernels/reduce';
import { type Context, GradboxError, type Tensor } from '../src/index';
import { eachBackend, withVariant } from './helpers/backends';
import { expectClose, randomData } from './helpers/close';
import { argmaxOf, argminOf, maxOf, minOf, reduceRef, size, sumOf } from './helpers/reference';

// Sums of n float32 values in [-1, 1] in a different order than float64: error ~ sqrt(n) ulps of
// the sum of |x|; 1e-5 relative plus 1e-4 absolute covers n up to ~1e5 here.
const SUM_TOL = { rtol: 1e-5, atol: 1e-4 };
const EXACT = { rtol: 0, atol: 0 };

type Op = 'sum' | 'mean' | 'max' | 'min' | 'argmax' | 'argmin';
const REFS: Record<Op, (v: number[]) => number> = {
  sum: sumOf,
  mean: (v) => sumOf(v) / v.length,
  max: maxOf,
  min: minOf,
  argmax: argmaxOf,
  argmin: argminOf,
};

function run(t: Tensor, op: Op, axes: number | number[] | undefined, keepDims: boolean): Tensor {
  if (op === 'argmax' || op === 'argmin') return t[op](axes as number | undefined, keepDims);
  return t[op](axes, keepDims);
}

const fmt = (shape: readonly number[]) => `(${shape.join(',')})`;

/**
 * Shapes and axes (undefined: all) around the workgroup sizes, 64 for softmax and 256 for reductions,
 * and rows long enough to be split into chunks: 8385 elements over all of (65,129) and rows of 20011
 * exceed twice the per-chunk lengths of both kernels (4096 for a workgroup, 1024 for a thread).
 */
const RUNG_CASES: [number[], number | undefined][] = [
  [[63], -1],
  [[64], -1],
  [[65], -1],
  [[127], -1],
  [[129], -1],
  [[257], -1],
  [[3, 257], -1],
  [[257, 3], 0],
  [[65, 129], 0],
  [[65, 129], undefined],
  [[2, 20011], -1],
  [[20011, 2], 0],
];

eachBackend('reductions', (use, backend) => {
  const SHAPES = [[1], [7], [3, 5], [2, 3, 7], [5, 1, 257], [2, 3, 4, 5]];
  for (const op of Object.keys(REFS) as Op[]) {
    it(`${op} over all, each axis, negative axes and lists, with keepDims`, async () => {
      const gb = use();
      for (const [k, shape] of SHAPES.entries()) {
        // Rounded values make ties for arg ops.
        const x = randomData(size(shape), 40 + k, 4).map((v) => Math.round(v * 4) / 4);
        const t = gb.tensor(x, shape);
        const rank = shape.length;
        const axesList: (number | number[] | undefined)[] = [undefined, ...shape.keys(), -1];
        if (!op.startsWith('arg') && rank >= 3) axesList.push([0, 2], [-1, 0], [1, 2]);
        for (const axes of axesList) {
          for (const keepDims of [false, true]) {
            const norm =
              axes === undefined
                ? [...shape.keys()]
                : (typeof axes === 'number' ? [axes] : axes).map((a) => (a < 0 ? a + rank : a));
            const want = reduceRef(x, shape, norm, REFS[op], keepDims);
            const y = run(t, op, axes, keepDims);
            expect(y.shape, `${op} ${shape} axes=${String(axes)}`).toEqual(want.shape);
            const tol = op === 'sum' || op === 'mean' ? SUM_TOL : EXACT;
            expectClose(
              await y.data(),
              want.data,
              tol,
              `${op} ${shape} axes=${String(axes)} keep=${keepDims}`,
            );
            y.dispose();
          }
        }
      }
    });
  }

  it('long rows (two passes on the GPU) and many short rows', async () => {
    const gb = use();
    for (const shape of [[100003], [3, 20011], [4099, 3], [2, 5000, 3]]) {
      const x = randomData(size(shape), shape[0], 1);
      const t = gb.tensor(x, shape);
      for (const op of ['sum', 'max', 'argmin'] as Op[]) {
        for (const axes of [undefined, 0, shape.length - 1]) {
          if (op === 'argmin' && axes === undefined && shape.length > 1) continue;
          const norm = axes === undefined ? [...shape.keys()] : [axes];
          const want = reduceRef(x, shape, norm, REFS[op]);
          const tol = op === 'sum' ? { rtol: 1e-4, atol: 1e-3 } : EXACT;
          expectClose(await run(t, op, axes, false).data(), want.data, tol, `${op} ${shape} axis ${axes}`);
        }
      }
    }
  });

  it('max/min propagate NaN; argmax/argmin take the first NaN, else the first of ties', async () => {
    const gb = use();
    const t = gb.tensor([
      [1, Number.NaN, 3, Number.NaN],
      [2, 5, 5, -1],
    ]);
    expectClose(await t.max(1).data(), [Number.NaN, 5]);
    expectClose(await t.min(1).data(), [Number.NaN, -1]);
    expectClose(await t.argmax(1).data(), [1, 1]);
    expectClose(await t.argmin(1).data(), [1, 3]);
    expectClose(await t.sum(1).data(), [Number.NaN, 11]);
    expectClose(await gb.tensor([-Infinity, -Infinity]).argmax().data(), [0]);
  });

  if (backend === 'webgpu') {
    for (const variant of ['cols', 'tree', 'subgroup'] as const) {
      it(`the ${variant} reduce kernel forced, around the workgroup size and on chunked rows`, async () => {
        const gb = use();
        await withVariant(gb, 'reduce', variant, async () => {
          for (const [shape, axis] of RUNG_CASES) {
            const x = randomData(size(shape), 77 + shape[0], 1);
            const t = gb.tensor(x, shape);
            const norm = axis === undefined ? [...shape.keys()] : [axis < 0 ? axis + shape.length : axis];
            for (const op of Object.keys(REFS) as Op[]) {
              const what = `${variant} ${op} ${fmt(shape)} axis ${String(axis)}`;
              if (variant === 'subgroup' && op.startsWith('arg')) {
                // Subgroup operations carry no index: the forced rung must refuse, not run the tree.
                expect(() => run(t, op, axis, false), what).toThrow(GradboxError);
                continue;
              }
              const want = reduceRef(x, shape, norm, REFS[op]);
              const tol = op === 'sum' || op === 'mean' ? SUM_TOL : EXACT;
              const y = run(t, op, axis, false);
              expectClose(await y.data(), want.data, tol, what);
              y.dispose();
            }
            t.dispose();
          }
        });
      });
    }

    it('a forced subgroup kernel that cannot run says what was asked, why, and what to do', () => {
      const gb = use();
      const t = gb.tensor([3, 1, 2]);
      return withVariant(gb, 'reduce', 'subgroup', async () => {
        expect(() => t.argmax()).toThrow(
          /argmax: the 'subgroup' reduce kernel was forced .* no subgroup kernel for argmax.* 'tree' or 'auto'/,
        );
        expect(() => t.argmin()).toThrow(GradboxError);
      });
    });
  }
});

/**
 * The row's shift and sum of exp(x - shift) in float64, by the rule both backends document: the shift
 * is the row max (NaN if any element is NaN) when that is finite, else 0 (subtracting an infinite max
 * would make NaN of every element).
 */
function shiftAndSum(row: number[]): { shift: number; sum: number } {
  let m = -Infinity;
  for (const v of row) if (Number.isNaN(v) || v > m) m = Number.isNaN(m) ? m : v;
  const shift = Number.isFinite(m) ? m : 0;
  return { shift, sum: sumOf(row.map((v) => Math.exp(v - shift))) };
}
function softmaxRef(x: number[]): number[] {
  const { shift, sum } = shiftAndSum(x);
  return x.map((v) => Math.exp(v - shift) / sum);
}
const lseRef = (x: number[]) => {
  const { shift, sum } = shiftAndSum(x);
  return shift + Math.log(sum);
};
const logSoftmaxRef = (x: number[]) => {
  const lse = lseRef(x);
  return x.map((v) => v - lse);
};

/** Applies a row function along `axis` of x, in float64. */
function alongAxis(
  x: ArrayLike<number>,
  shape: number[],
  axis: number,
  f: (row: number[]) => number[],
): number[] {
  const outer = size(shape.slice(0, axis));
  const n = shape[axis];
  const inner = size(shape.slice(axis + 1));
  const out = new Array<number>(x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const row = Array.from({ length: n }, (_, k) => x[(o * n + k) * inner + i]);
      f(row).forEach((v, k) => {
        out[(o * n + k) * inner + i] = v;
      });
    }
  }
  return out;
}

eachBackend('softmax family', (use, backend) => {
  // exp and log in float32: a few ulps each; 1e-5 relative (and 1e-6 absolute for tiny probabilities).
  const TOL = { rtol: 1e-5, atol: 1e-6 };
  const SHAPES: number[][] = [[1], [5], [3, 7], [2, 33, 3], [4, 257], [2, 2, 2000]];

  it('softmax and logSoftmax along every axis match float64', async () => {
    const gb = use();
    for (const [k, shape] of SHAPES.entries()) {
      const x = randomData(size(shape), 300 + k, 5);
      const t = gb.tensor(x, shape);
      for (let axis = -1; axis < shape.length; axis++) {
        const ax = axis < 0 ? axis + shape.length : axis;
        const sm = alongAxis(x, shape, ax, softmaxRef);
        expectClose(await t.softmax(axis).data(), sm, TOL, `softmax ${shape} axis ${axis}`);
        const lsm = alongAxis(x, shape, ax, logSoftmaxRef);
        expectClose(
          await t.logSoftmax(axis).data(),
          lsm,
          { rtol: 1e-5, atol: 2e-5 },
          `logSoftmax ${shape} ${axis}`,
        );
        const lse = reduceRef(x, shape, [ax], lseRef);
        const y = t.logSumExp(axis);
        expect(y.shape).toEqual(lse.shape);
        expectClose(await y.data(), lse.data, TOL, `logSumExp ${shape} ${axis}`);
        expect(t.logSumExp(axis, true).shape).toEqual(shape.map((d, a) => (a === ax ? 1 : d)));
      }
      expectClose(await t.logSumExp().data(), [lseRef(Array.from(x))], TOL, 'logSumExp all');
    }
  });

  it('is stable for inputs around 1e3 and beyond', async () => {
    const gb = use();
    const t = gb.tensor([
      [1000, 1001, 1002],
      [-1e4, 0, 1e4],
      [3e38, 3e38, -3e38],
    ]);
    const want = [softmaxRef([1000, 1001, 1002]), [0, 0, 1], [0.5, 0.5, 0]].flat();
    expectClose(await t.softmax().data(), want, TOL);
    expectClose(
      await t.logSumExp(1).data(),
      [1002 + Math.log(1 + Math.exp(-1) + Math.exp(-2)), 1e4, 3e38 + Math.log(2)],
      TOL,
    );
    // Rows 1 and 2 are finite; row 3's -3e38 - 3e38 overflows float32 to -Inf, as it should.
    const ls = await t.logSoftmax().data();
    expect(Array.from(ls.slice(0, 6)).every(Number.isFinite)).toBe(true);
    expect(ls[8]).toBe(-Infinity);
  });

  it('NaN rows give NaN; all -Inf gives -Inf for logSumExp', async () => {
    const gb = use();
    const t = gb.tensor([
      [1, Number.NaN, 2],
      [-Infinity, -Infinity, -Infinity],
    ]);
    const lse = await t.logSumExp(1).data();
    expect(Number.isNaN(lse[0])).toBe(true);
    expect(lse[1]).toBe(-Infinity);
    const sm = await t.softmax().data();
    expect(Array.from(sm.slice(0, 3)).every(Number.isNaN)).toBe(true);
  });

  /** Runs body once per softmax variant on WebGPU ('auto' and every forced rung), once on the CPU. */
  async function eachVariant(gb: Context, body: (label: string) => Promise<void>): Promise<void> {
    if (backend !== 'webgpu') return body(backend);
    for (const v of ['auto', 'small', 'rows'] as const) {
      await withVariant(gb, 'softmax', v, () => body(`webgpu ${v}`));
    }
  }

  // Long rows sum 1e5 float32 exponentials on the GPU in chunks of ~1000, each summed in order, so the
  // sum's relative error is ~sqrt(1000) ulps, plus a float32 exp per element: measured 1.2e-6 on
  // SwiftShader for softmax of (2,100003), bound at 2e-5. One invocation summing a whole row in order
  // (the kernels before chunking) measured 1.2e-4 and fails this bound. The CPU sums in float64.
  const LONG_TOL = { rtol: 2e-5, atol: 0 };
  // logSoftmax is x - logSumExp: an absolute error of ~2e-5 relative to a logSumExp near 14.
  const LONG_LOG_TOL = { rtol: 2e-5, atol: 3e-4 };

  it('long rows (chunked on the GPU): logSumExp over all, softmax and logSoftmax along an axis', async () => {
    const gb = use();
    const flat = randomData(200003, 11, 5);
    const wantLse = lseRef(Array.from(flat));
    const cases: [number[], number][] = [
      [[2, 100003], 1],
      [[2, 5003, 3], 1], // rows with an outer and an inner extent, through the per-element pass
    ];
    const data = cases.map(([shape], k) => randomData(size(shape), 12 + k, 5));
    const want = cases.map(([shape, axis], k) => ({
      sm: alongAxis(data[k], shape, axis, softmaxRef),
      lsm: alongAxis(data[k], shape, axis, logSoftmaxRef),
      lse: reduceRef(data[k], shape, [axis], lseRef).data,
    }));
    const tflat = gb.tensor(flat);
    const ts = cases.map(([shape], k) => gb.tensor(data[k], shape));
    await eachVariant(gb, async (label) => {
      expectClose(await tflat.logSumExp().data(), [wantLse], LONG_TOL, `${label} logSumExp over 200003`);
      for (const [k, [shape, axis]] of cases.entries()) {
        const what = `${label} ${fmt(shape)} axis ${axis}`;
        expectClose(await ts[k].softmax(axis).data(), want[k].sm, LONG_TOL, `${what} softmax`);
        expectClose(await ts[k].logSoftmax(axis).data(), want[k].lsm, LONG_LOG_TOL, `${what} logSoftmax`);
        expectClose(await ts[k].logSumExp(axis).data(), want[k].lse, LONG_TOL, `${what} logSumExp`);
      }
    });
  });

  it('NaN, Inf and -Inf in long rows keep their one-pass meaning across chunks', async () => {
    const gb = use();
    const n = 5003; // five chunks of 1001 on the GPU
    const row = (f: (k: number) => number) => Float32Array.from({ length: n }, (_, k) => f(k));
    const noise = randomData(n, 21, 3);
    const rows: [string, Float32Array][] = [
      ['a NaN in one chunk', row((k) => (k === 4000 ? Number.NaN : noise[k]))],
      ['+Inf in one chunk', row((k) => (k === 10 ? Infinity : noise[k]))],
      // Chunks of only -Inf have a sum of 0 and must be skipped, not scaled by exp(0 + 1000) = Inf.
      ['-Inf but for two values', row((k) => (k === 2500 ? -1000 : k === 2501 ? -1001 : -Infinity))],
      ['all -Inf', row(() => -Infinity)],
      ['float32 max twice', row((k) => (k === 3000 || k === 3001 ? 3e38 : noise[k]))],
    ];
    await eachVariant(gb, async (label) => {
      for (const [name, x] of rows) {
        const t = gb.tensor(x);
        const v = Array.from(x);
        const what = `${label} ${name}`;
        expectClose(await t.logSumExp().data(), [lseRef(v)], LONG_TOL, `${what}: logSumExp`);
        expectClose(await t.softmax().data(), softmaxRef(v), LONG_TOL, `${what}: softmax`);
        expectClose(await t.logSoftmax().data(), logSoftmaxRef(v), LONG_LOG_TOL, `${what}: logSoftmax`);
        t.dispose();
      }
    });
  });

  it('logSumExp over an empty axis is -Inf, and softmax of it is empty', async () => {
    const gb = use();
    const t = gb.tensor(new Float32Array(0), [3, 0]);
    await eachVariant(gb, async (label) => {
      expectClose(await t.logSumExp(1).data(), [-Infinity, -Infinity, -Infinity], EXACT, label);
      expect((await t.softmax(1).data()).length, label).toBe(0);
    });
  });

  if (backend === 'webgpu') {
    for (const variant of ['small', 'rows'] as const) {
      it(`the ${variant} softmax kernel forced, around the workgroup size and on chunked rows`, async () => {
        const gb = use();
        await withVariant(gb, 'softmax', variant, async () => {
          for (const [shape, axis] of [...RUNG_CASES, [[2, 5003, 3], 1] as [number[], number]]) {
            const x = randomData(size(shape), 500 + shape[0], 5);
            const t = gb.tensor(x, shape);
            const what = `${variant} ${fmt(shape)} axis ${String(axis)}`;
            if (axis === undefined) {
              expectClose(await t.logSumExp().data(), [lseRef(Array.from(x))], LONG_TOL, `${what} lse`);
              continue;
            }
            const ax = axis < 0 ? axis + shape.length : axis;
            expectClose(await t.softmax(axis).data(), alongAxis(x, shape, ax, softmaxRef), LONG_TOL, what);
            expectClose(
              await t.logSoftmax(axis).data(),
              alongAxis(x, shape, ax, logSoftmaxRef),
              LONG_LOG_TOL,
              `${what} logSoftmax`,
            );
            const lse = reduceRef(x, shape, [ax], lseRef).data;
            expectClose(await t.logSumExp(axis).data(), lse, LONG_TOL, `${what} logSumExp`);
            t.dispose();
          }
        });
      });
    }
  }
});

// The planners are pure: these run without a GPU and pin down when rows are split and what is refused.
describe('kernel planners', () => {
  const GPU = { software: false, subgroups: true };
  const SOFTWARE = { software: true, subgroups: true };

  it('softmaxPlan splits a long row into non-empty chunks that cover it, for every rung', () => {
    for (const dev of [GPU, SOFTWARE]) {
      for (const variant of ['auto', 'small', 'rows'] as const) {
        for (const [rows, n] of [
          [1, 200003],
          [2, 100003],
          [6, 5003],
          [1, 2 ** 28],
        ]) {
          const p = softmaxPlan(dev, rows, n, variant);
          const what = `${variant} software=${dev.software} rows=${rows} size=${n}: ${JSON.stringify(p)}`;
          expect(p.chunks, what).toBeGreaterThan(1);
          expect(p.chunks, what).toBeLessThanOrEqual(4096);
          expect(p.chunk * p.chunks, what).toBeGreaterThanOrEqual(n);
          expect((p.chunks - 1) * p.chunk, what).toBeLessThan(n);
        }
      }
    }
    expect(softmaxPlan(GPU, 1, 200003, 'small').entry).toBe('softmax_small');
    expect(softmaxPlan(GPU, 1, 200003, 'rows').entry).toBe('softmax_rows');
  });

  it('softmaxPlan keeps short rows, and rows that already fill the device, whole', () => {
    expect(softmaxPlan(GPU, 1, 1000, 'rows')).toEqual({ entry: 'softmax_rows', chunks: 1, chunk: 1000 });
    expect(softmaxPlan(SOFTWARE, 1, 0).chunks).toBe(1);
    expect(softmaxPlan(GPU, 64, 100003, 'rows').chunks).toBe(1);
    expect(softmaxPlan(GPU, 4096, 100003, 'small').chunks).toBe(1);
    expect(softmaxPlan(SOFTWARE, 4095, 100003).chunks).toBeGreaterThan(1);
  });

  it('reducePlan splits long rows and refuses a subgroup kernel it cannot run', () => {
    expect(reducePlan(GPU, 'sum', 1, 200003, 1, 'tree').chunks).toBeGreaterThan(1);
    expect(reducePlan(SOFTWARE, 'sum', 1, 200003, 1).chunks).toBeGreaterThan(1);
    expect(reducePlan(GPU, 'sum', 1, 200003, 1, 'subgroup').entry).toBe('reduce_rows_sg');
    // 'auto' may fall back; a forced rung may not.
    expect(reducePlan(GPU, 'argmax', 1, 200003, 1).entry).toBe('reduce_rows');
    expect(() => reducePlan(GPU, 'argmin', 1, 200003, 1, 'subgroup')).toThrow(
      /argmin: .*'subgroup'.* no subgroup kernel for argmin/,
    );
    const noSubgroups = { software: false, subgroups: false };
    expect(reducePlan(noSubgroups, 'sum', 1, 200003, 1).entry).toBe('reduce_rows');
    expect(() => reducePlan(noSubgroups, 'sum', 1, 200003, 1, 'subgroup')).toThrow(
      /does not offer the WebGPU 'subgroups' feature. Set variants.reduce to 'tree' or 'auto'/,
    );
  });
});
