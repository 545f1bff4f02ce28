// Reductions and the softmax family on both backends against float64 references: all axes, lists of
// axes, negative axes, keepDims, long rows that take the two-pass path, NaN, ties, and large inputs.
import { expect, it } from 'vitest';
import type { WebGpuBackend } from '../src/backends/webgpu/webgpu_backend';
import type { Tensor } from '../src/index';
import { eachBackend } from './helpers/backends';
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
      it(`the ${variant} reduce kernel on its own matches float64`, async () => {
        const gb = use();
        const engine = gb.engine as WebGpuBackend;
        engine.variants.reduce = variant;
        try {
          for (const shape of [[1], [257], [3, 1031], [6, 7, 5], [2, 9000]]) {
            const x = randomData(size(shape), 77, 1);
            const t = gb.tensor(x, shape);
            for (const op of Object.keys(REFS) as Op[]) {
              const want = reduceRef(x, shape, [shape.length - 1], REFS[op]);
              const tol = op === 'sum' || op === 'mean' ? SUM_TOL : EXACT;
              expectClose(await run(t, op, -1, false).data(), want.data, tol, `${variant} ${op} ${shape}`);
            }
          }
        } finally {
          engine.variants.reduce = 'auto';
        }
      });
    }
  }
});

function softmaxRef(x: number[]): number[] {
  const m = Math.max(...x);
  const e = x.map((v) => Math.exp(v - m));
  const s = sumOf(e);
  return e.map((v) => v / s);
}
const lseRef = (x: number[]) => {
  const m = Math.max(...x);
  return m + Math.log(sumOf(x.map((v) => Math.exp(v - m))));
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

eachBackend('softmax family', (use) => {
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
        const lsm = alongAxis(x, shape, ax, (r) => softmaxRef(r).map(Math.log));
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
});
