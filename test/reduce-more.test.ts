// Issue 9's reductions on both backends against float64 references computed here: prod (every WebGPU
// kernel rung, long rows taking two passes, zeros in its gradient), var and std (population and sample),
// norm (1, 2, Infinity; no overflow or underflow in the 2-norm), any and all; checkGrad for each.
import { expect, it } from 'vitest';
import type { ReduceVariant } from '../src/backends/webgpu/kernels/reduce';
import { GradboxError, type Tensor } from '../src/index';
import { eachBackend, withVariant } from './helpers/backends';
import { expectClose, randomData } from './helpers/close';
import { reduceRef, size, sumOf } from './helpers/reference';

// Shapes and axes (undefined: all) around the 256-wide workgroups, and rows long enough (over 2 x 4096)
// for a WebGPU row to be split into chunks and combined by a second pass.
const CASES: [number[], number | number[] | undefined][] = [
  [[1], undefined],
  [[63], -1],
  [[64], 0],
  [[65], undefined],
  [[257], -1],
  [[3, 129], 1],
  [[3, 129], 0],
  [[3, 129], undefined],
  [
    [2, 5, 3],
    [0, 2],
  ],
  [[2, 9001], -1],
  [[9001, 2], 0],
];

const normAxes = (shape: number[], axes: number | number[] | undefined) =>
  axes === undefined
    ? [...shape.keys()]
    : (typeof axes === 'number' ? [axes] : axes).map((a) => (a < 0 ? a + shape.length : a));

const prodOf = (v: number[]) => v.reduce((a, b) => a * b, 1);
const meanOf = (v: number[]) => sumOf(v) / v.length;
const varOf = (ddof: number) => (v: number[]) => {
  const m = meanOf(v);
  return sumOf(v.map((x) => (x - m) ** 2)) / (v.length - ddof);
};

// Products of up to 9001 float32 factors near 1: each multiplication rounds once (2^-24 relative), in a
// different order on each backend, so the errors add like a random walk, ~sqrt(n) 6e-8 ~ 6e-6 at most
// typically; 5e-5 relative leaves room. Variances: two float32 passes over rows of up to 9001 values,
// errors like those of a sum (see reduce.test.ts), 1e-5 relative plus a small absolute term.
const PROD_TOL = { rtol: 5e-5, atol: 0 };
const VAR_TOL = { rtol: 1e-5, atol: 1e-6 };

function weighted(y: Tensor, seed: number): Tensor {
  return y.mul(y.ctx.tensor(randomData(y.size, seed), y.shape)).sum();
}

eachBackend('reductions, issue 9', (use, backend) => {
  const variants: ReduceVariant[] = backend === 'webgpu' ? ['auto', 'cols', 'tree'] : ['auto'];
  for (const variant of variants) {
    it(`prod matches float64 over shapes around the workgroup size (kernel: ${variant})`, async () => {
      const gb = use();
      await withVariant(gb, 'reduce', variant, async () => {
        for (const [k, [shape, axes]] of CASES.entries()) {
          // Factors in [0.99, 1.01]: products of thousands stay far from overflow; a NaN in one row.
          const x = randomData(size(shape), 80 + k, 0.01).map((v) => 1 + v);
          for (const keepDims of [false, true]) {
            const want = reduceRef(x, shape, normAxes(shape, axes), prodOf, keepDims);
            const y = gb.tensor(x, shape).prod(axes, keepDims);
            expect(y.shape).toEqual(want.shape);
            expectClose(
              await y.data(),
              want.data,
              PROD_TOL,
              `prod ${shape} axes=${String(axes)} (${variant})`,
            );
          }
        }
        const special = gb.tensor([
          [2, NaN, 3],
          [2, 0, -Infinity],
          [-1, -2, -3],
        ]);
        expectClose(await special.prod(1).data(), [NaN, NaN, -6], { rtol: 0, atol: 0 }, 'prod NaN, 0 * Inf');
        expectClose(await gb.zeros([0, 3]).prod(0).data(), [1, 1, 1], { rtol: 0, atol: 0 }, 'empty prod');
      });
    });
  }

  it('var and std, population and sample (ddof), match float64', async () => {
    const gb = use();
    for (const [k, [shape, axes]] of CASES.entries()) {
      // An offset of 3 makes the mean matter: a one-pass formula would lose digits to cancellation.
      const x = randomData(size(shape), 90 + k, 2).map((v) => v + 3);
      const t = gb.tensor(x, shape);
      const n = size(normAxes(shape, axes).map((a) => shape[a]));
      for (const ddof of n > 1 ? [0, 1] : [0]) {
        for (const keepDims of [false, true]) {
          const want = reduceRef(x, shape, normAxes(shape, axes), varOf(ddof), keepDims);
          const opts = ddof ? { ddof } : undefined;
          const v = t.var(axes, keepDims, opts);
          const s = t.std(axes, keepDims, opts);
          expect(v.shape).toEqual(want.shape);
          expect(s.shape).toEqual(want.shape);
          const what = `${shape} axes=${String(axes)} ddof=${ddof} keep=${keepDims}`;
          expectClose(await v.data(), want.data, VAR_TOL, `var ${what}`);
          expectClose(await s.data(), want.data.map(Math.sqrt), VAR_TOL, `std ${what}`);
        }
      }
    }
    // One element with ddof 1: 0 / 0, NaN as in NumPy. A constant row: 0.
    expectClose(await gb.tensor([5]).var(undefined, false, { ddof: 1 }).data(), [NaN]);
    expectClose(await gb.full([65], 0.1).std().data(), [0], { rtol: 0, atol: 1e-7 });
    expect(() => gb.tensor([1, 2]).var(0, false, { ddof: -1 })).toThrow('var: ddof must be a number >= 0');
    expect(() => gb.tensor([1, 2]).std(0, false, 1 as never)).toThrow(GradboxError);
  });

  it('norm 1, 2 and Infinity over axes match float64; the 2-norm neither overflows nor underflows', async () => {
    const gb = use();
    const refs: [1 | 2 | number, (v: number[]) => number][] = [
      [1, (v) => sumOf(v.map(Math.abs))],
      [2, (v) => Math.sqrt(sumOf(v.map((a) => a * a)))],
      [Infinity, (v) => Math.max(...v.map(Math.abs))],
    ];
    for (const [k, [shape, axes]] of CASES.entries()) {
      const x = randomData(size(shape), 100 + k, 3);
      const t = gb.tensor(x, shape);
      for (const [ord, ref] of refs) {
        for (const keepDims of [false, true]) {
          const want = reduceRef(x, shape, normAxes(shape, axes), ref, keepDims);
          const y = t.norm(ord, axes, keepDims);
          expect(y.shape).toEqual(want.shape);
          const tol = ord === Infinity ? { rtol: 0, atol: 0 } : VAR_TOL;
          expectClose(await y.data(), want.data, tol, `norm ${ord} ${shape} axes=${String(axes)}`);
        }
      }
    }
    const wide = gb.tensor([
      [3e30, 4e30],
      [3e-30, -4e-30],
      [0, 0],
      [Infinity, 1],
    ]);
    expectClose(
      await wide.norm(2, 1).data(),
      [5e30, 5e-30, 0, Infinity],
      { rtol: 2e-6, atol: 0 },
      'wide norm',
    );
    expectClose(await gb.tensor([3, -4]).norm().data(), [5], { rtol: 2e-6, atol: 0 }, 'default ord 2');
    expect(() => gb.tensor([1]).norm(3 as never)).toThrow('norm: ord must be 1, 2 or Infinity, got 3');
  });

  it('any and all give 0/1 over axes (NaN counts as non-zero; empty: any 0, all 1), with no gradient', async () => {
    const gb = use();
    const x = gb.tensor([
      [0, 0, 0],
      [0, 2, 0],
      [NaN, 1, -1],
    ]);
    expect(Array.from(await x.any(1).data())).toEqual([0, 1, 1]);
    expect(Array.from(await x.all(1).data())).toEqual([0, 0, 1]);
    expect(Array.from(await x.any(0).data())).toEqual([1, 1, 1]);
    expect(Array.from(await x.all().data())).toEqual([0]);
    expect(x.any(1, true).shape).toEqual([3, 1]);
    expect(x.all().shape).toEqual([]);
    const empty = gb.zeros([0, 3]);
    expect(Array.from(await empty.any(0).data())).toEqual([0, 0, 0]);
    expect(Array.from(await empty.all(0).data())).toEqual([1, 1, 1]);
    // Long rows cross the workgroup size.
    const long = new Float32Array(3 * 257);
    long[257 + 256] = 1; // row 1 has a non-zero at its end
    long.fill(1, 514); // row 2 is all non-zero
    const l = gb.tensor(long, [3, 257]);
    expect(Array.from(await l.any(1).data())).toEqual([0, 1, 1]);
    expect(Array.from(await l.all(1).data())).toEqual([0, 0, 1]);
    const [dx] = gb.grad((t: Tensor) => t.any().add(t.all()).add(t.sum().mul(0)))(gb.tensor([1, 2]));
    expect(Array.from(await dx.data())).toEqual([0, 0]);
  });

  it('prod gradient is exact with zeros: none, one and two per slice', async () => {
    const gb = use();
    const x = gb.tensor([
      [2, 3, 4, 5],
      [2, 0, 4, 5],
      [0, 3, 0, 5],
      [-1, 0.5, 2, -3],
    ]);
    const [dx] = gb.grad((t: Tensor) => t.prod(1).sum())(x);
    expectClose(
      await dx.data(),
      [60, 40, 30, 24, 0, 40, 0, 0, 0, 0, 0, 0, -3, 6, 1.5, -1],
      { rtol: 1e-6, atol: 0 },
      'd prod',
    );
    // Over all elements and over axis 0 of a (3,129) tensor with one zero per column in some columns.
    const data = randomData(3 * 129, 7, 0.5).map((v) => 1 + v);
    for (let c = 0; c < 129; c += 3) data[129 + c] = 0;
    const t = gb.tensor(data, [3, 129]);
    const [d0] = gb.grad((u: Tensor) => u.prod(0).sum())(t);
    const want = new Float64Array(3 * 129);
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 129; c++) {
        want[r * 129 + c] = prodOf([0, 1, 2].filter((q) => q !== r).map((q) => data[q * 129 + c]));
      }
    }
    expectClose(await d0.data(), want, { rtol: 2e-6, atol: 0 }, 'd prod axis 0 with zeros');
  });

  const GRAD_CASES: [string, number[], (t: Tensor) => Tensor][] = [
    ['prod over an axis and over all', [3, 4], (t) => t.prod(1).add(t.prod().mul(0.1))],
    ['prod over a list of axes with keepDims', [2, 3, 2], (t) => t.prod([0, 2], true)],
    ['var, std over axes and ddof', [3, 5], (t) => t.var(1).add(t.std(0, true, { ddof: 1 }).sum())],
    ['var over all', [4, 3], (t) => t.var()],
    ['norm 2 over an axis and over all', [3, 4], (t) => t.norm(2, 1).add(t.norm())],
    ['norm 1 and Infinity', [3, 4], (t) => t.norm(1, 0).add(t.norm(Infinity, 1).sum())],
  ];
  for (const [name, shape, f] of GRAD_CASES) {
    it(`checkGrad: ${name}`, async () => {
      const gb = use();
      // Values away from 0 (norm 1's kink) with distinct magnitudes (norm Infinity's ties).
      const d = randomData(size(shape), 13, 1.5).map((v, i) => (v >= 0 ? v + 0.2 : v - 0.2) * (1 + i * 0.01));
      const x = gb.tensor(d, shape);
      const res = await gb.checkGrad((t) => weighted(f(t), 3), [x]);
      expect(res.maxRelError, JSON.stringify(res.inputs)).toBeLessThan(1e-3);
    });
  }

  it('the 2-norm of an all-zero slice has gradient 0; std of a constant has NaN (0 / 0)', async () => {
    const gb = use();
    const x = gb.tensor([
      [0, 0],
      [3, 4],
    ]);
    const [dx] = gb.grad((t: Tensor) => t.norm(2, 1).sum())(x);
    expectClose(await dx.data(), [0, 0, 0.6, 0.8], { rtol: 2e-6, atol: 0 }, 'd norm');
    const [ds] = gb.grad((t: Tensor) => t.std())(gb.full([3], 2));
    expect(Array.from(await ds.data()).every(Number.isNaN)).toBe(true);
  });
});
