// cumsum and cumprod on both backends against float64 references: every axis, reverse-free and chunked
// shapes around the workgroup block (512) and the naive/blocked rungs of the WebGPU scan forced; the
// gradients (checkGrad) and every error message.
import { expect, it } from 'vitest';
import type { ScanVariant } from '../src/backends/webgpu/kernels/scan';
import { GradboxError } from '../src/index';
import { eachBackend, withVariant } from './helpers/backends';
import { expectClose, randomData } from './helpers/close';
import { size } from './helpers/reference';

/** Inclusive scan along `axis` in float64. */
function scanRef(x: ArrayLike<number>, shape: number[], axis: number, prod: boolean): Float64Array {
  const outer = size(shape.slice(0, axis));
  const n = shape[axis];
  const inner = size(shape.slice(axis + 1));
  const out = new Float64Array(size(shape));
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      let acc = prod ? 1 : 0;
      for (let k = 0; k < n; k++) {
        const j = (o * n + k) * inner + i;
        acc = prod ? acc * x[j] : acc + x[j];
        out[j] = acc;
      }
    }
  return out;
}

// Running sums of n values in [-1, 1] in float32 (in a tree order on the GPU): error ~ sqrt(n) ulps of
// sums bounded by n; 1e-5 relative plus 2e-6 * sqrt(n) absolute.
const sumTol = (n: number) => ({ rtol: 1e-5, atol: 2e-6 * Math.sqrt(n) + 1e-6 });
// Products of n values near 1 (in [0.9, 1.1]): n roundings of relative 6e-8 each.
const prodTol = (n: number) => ({ rtol: 1e-7 * n + 1e-6, atol: 1e-30 });

const CASES: [number[], number][] = [
  [[1], 0],
  [[63], -1],
  [[64], -1],
  [[65], -1],
  [[255], 0],
  [[257], -1],
  [[513], -1],
  [[1025], -1],
  [[3, 257], -1],
  [[257, 3], 0],
  [[2, 5000], -1],
  [[5000, 2], 0],
  [[2, 3, 65], 1],
];

eachBackend('scans', (use, backend) => {
  const variants: ScanVariant[] = backend === 'webgpu' ? ['auto', 'naive', 'blocked'] : ['auto'];
  for (const variant of variants) {
    it(`cumsum and cumprod match float64 around the block sizes (${variant})`, async () => {
      const gb = use();
      const body = async () => {
        for (const [k, [shape, axis]] of CASES.entries()) {
          const ax = axis < 0 ? axis + shape.length : axis;
          const x = randomData(size(shape), 100 + k);
          const t = gb.tensor(x, shape);
          const s = t.cumsum(axis);
          expect(s.shape).toEqual(shape);
          expectClose(
            await s.data(),
            scanRef(x, shape, ax, false),
            sumTol(shape[ax]),
            `cumsum ${shape} axis ${axis}`,
          );
          const near1 = x.map((v) => 1 + 0.1 * v);
          const u = gb.tensor(near1, shape);
          const p = u.cumprod(axis);
          expectClose(
            await p.data(),
            scanRef(near1, shape, ax, true),
            prodTol(shape[ax]),
            `cumprod ${shape} axis ${axis}`,
          );
          for (const y of [t, s, u, p]) y.dispose();
        }
      };
      if (backend === 'webgpu') await withVariant(gb, 'scan', variant, body);
      else await body();
    });
  }

  it('defaults to the last axis; NaN and Inf propagate forward only; empty tensors stay empty', async () => {
    const gb = use();
    const t = gb.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(await t.cumsum().toArray()).toEqual([
      [1, 3, 6],
      [4, 9, 15],
    ]);
    expect(await t.cumprod().toArray()).toEqual([
      [1, 2, 6],
      [4, 20, 120],
    ]);
    expect(await t.cumsum(0).toArray()).toEqual([
      [1, 2, 3],
      [5, 7, 9],
    ]);
    const n = gb.tensor([1, Number.NaN, 2, Infinity]);
    expect(Array.from(await n.cumsum().data())).toEqual([1, NaN, NaN, NaN]);
    expect(Array.from(await gb.tensor([1, Infinity, 2]).cumsum().data())).toEqual([1, Infinity, Infinity]);
    expect(Array.from(await gb.tensor([2, 0, 3]).cumprod().data())).toEqual([2, 0, 0]);
    const e = gb.zeros([0, 3]).cumsum(0);
    expect(e.shape).toEqual([0, 3]);
    expect((await e.data()).length).toBe(0);
  });

  it('gradients: cumsum gives the reverse cumsum of g, cumprod is exact without zeros', async () => {
    const gb = use();
    const x = gb.tensor(
      randomData(12, 7).map((v) => 1 + 0.5 * v),
      [3, 4],
    );
    const w = gb.tensor(randomData(12, 8), [3, 4]);
    for (const axis of [0, 1, -1]) {
      const r1 = await gb.checkGrad((a) => a.cumsum(axis).mul(w).sum(), [x]);
      expect(r1.maxRelError, `cumsum axis ${axis}`).toBeLessThan(1e-4); // the analytic side runs in float32
      const r2 = await gb.checkGrad((a) => a.cumprod(axis).mul(w).sum(), [x]);
      expect(r2.maxRelError, `cumprod axis ${axis}`).toBeLessThan(1e-4); // the analytic side runs in float32
    }
    const [g] = gb.grad((a) => a.cumsum().sum())(gb.tensor([1, 2, 3, 4]));
    expect(Array.from(await g.data())).toEqual([4, 3, 2, 1]);
  });

  it('errors say what was given and what is expected', () => {
    const gb = use();
    expect(() => gb.tensor(3).cumsum()).toThrow(GradboxError);
    expect(() => gb.tensor(3).cumsum()).toThrow(/cumsum: axis -1 is out of range for a tensor of rank 0/);
    expect(() => gb.tensor([1, 2]).cumprod(2)).toThrow(
      /cumprod: axis 2 is out of range for a tensor of rank 1; valid: -1..0/,
    );
    expect(() => gb.tensor([1, 2]).cumsum(0.5)).toThrow(/cumsum: axis must be an integer, got 0.5/);
  });
});
