// sort, argsort and topk on both backends against float64 references (a stable sort of (value, position)
// with NaN last): rows around the bitonic block (512) and power-of-two paddings, long rows, along axis 0
// and -1, every WebGPU rung forced; stability with ties, NaN placement, gradients, errors. topk (small k)
// on every rung, select included, against the same reference; the CPU's select and full-sort paths agree.
import { expect, it } from 'vitest';
import { type CpuSortPath, sort as cpuSort } from '../src/backends/cpu/scan';
import type { SortVariant } from '../src/backends/webgpu/kernels/scan';
import type { WebGpuBackend } from '../src/backends/webgpu/webgpu_backend';
import { GradboxError } from '../src/index';
import { eachBackend, withVariant } from './helpers/backends';
import { randomData } from './helpers/close';
import { size } from './helpers/reference';

/** Stable argsort of each lane along `axis`, NaN last, as positions; and the sorted values. */
function sortRef(x: ArrayLike<number>, shape: number[], axis: number, desc: boolean) {
  const outer = size(shape.slice(0, axis));
  const n = shape[axis];
  const inner = size(shape.slice(axis + 1));
  const values = new Float64Array(size(shape));
  const indices = new Float64Array(size(shape));
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const at = (k: number) => (o * n + k) * inner + i;
      const order = [...Array(n).keys()];
      const key = (k: number) => x[at(k)];
      order.sort((a, b) => {
        const [va, vb] = [key(a), key(b)];
        if (Number.isNaN(va) || Number.isNaN(vb)) return Number(Number.isNaN(va)) - Number(Number.isNaN(vb));
        return desc ? vb - va : va - vb; // Array.prototype.sort is stable: ties keep their order
      });
      order.forEach((k, r) => {
        values[at(r)] = x[at(k)];
        indices[at(r)] = k;
      });
    }
  return { values, indices };
}

function firstMismatch(got: ArrayLike<number>, want: ArrayLike<number>): string | null {
  if (got.length !== want.length) return `length ${got.length}, expected ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    const same = Number.isNaN(want[i]) ? Number.isNaN(got[i]) : Object.is(got[i] + 0, want[i] + 0);
    if (!same) return `index ${i}: got ${got[i]}, expected ${want[i]}`;
  }
  return null;
}

const CASES: [number[], number][] = [
  [[1], 0],
  [[2], 0],
  [[33], -1],
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
  [[700, 2], 0],
];

/** The first k of each row of the reference sort along the last axis, (rows, k). */
function topkRef(x: ArrayLike<number>, shape: number[], k: number, desc = true) {
  const n = shape[shape.length - 1];
  const rows = size(shape) / n;
  const full = sortRef(x, [rows, n], 1, desc);
  const values: number[] = [];
  const indices: number[] = [];
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < k; c++) {
      values.push(full.values[r * n + c]);
      indices.push(full.indices[r * n + c]);
    }
  return { values, indices };
}

const TOPK_SHAPES = [[63], [64], [65], [257], [1025], [5000], [3, 2049]];
const TOPK_KS = [1, 5, 10, 32];

/**
 * Rows for topk, by case number: values rounded to eighths of [-4, 4] (about 64 distinct values, so
 * the largest repeat and ties decide positions), a NaN; every third case also has its even positions NaN
 * (short of the last 64 of a two-row stretch: in [63], 31 numbers for k = 32, so NaN reaches the
 * output; longer rows keep numbers where the NaN stop), every other case
 * has only values <= 0 with many -0 and +0 (the largest are zeros of both signs, tied).
 */
function topkData(shape: number[], c: number): Float32Array {
  const x = randomData(size(shape), 700 + c, 4).map((v) => Math.round(v * 8) / 8);
  for (let i = 0; i < x.length; i++) {
    if (c % 2 === 1) x[i] = i % 3 === 0 ? (i % 2 ? -0 : 0) : -Math.abs(x[i]);
    if (c % 3 === 0 && i % 2 === 0 && i < 2 * shape[shape.length - 1] - 64) x[i] = Number.NaN;
  }
  x[x.length >> 1] = Number.NaN;
  return x;
}

eachBackend('sorting', (use, backend) => {
  const variants: SortVariant[] = backend === 'webgpu' ? ['auto', 'naive', 'bitonic'] : ['auto'];
  for (const variant of variants) {
    it(`sort and argsort (both orders) match a stable float64 sort (${variant})`, async () => {
      const gb = use();
      const body = async () => {
        for (const [k, [shape, axis]] of CASES.entries()) {
          // The insertion-sort rung is O(n^2) per row on one invocation: keep its rows short here.
          if (variant === 'naive' && shape[axis < 0 ? axis + shape.length : axis] > 1100) continue;
          const ax = axis < 0 ? axis + shape.length : axis;
          // Values rounded to eighths: many ties, so stability is tested on every shape.
          const x = randomData(size(shape), 300 + k, 4).map((v) => Math.round(v * 8) / 8);
          if (x.length > 5) x[3] = Number.NaN;
          const t = gb.tensor(x, shape);
          for (const desc of [false, true]) {
            const want = sortRef(x, shape, ax, desc);
            const v = t.sort(axis, desc);
            const i = t.argsort(axis, desc);
            expect(v.shape).toEqual(shape);
            const what = `${shape} axis ${axis} desc ${desc}`;
            expect(firstMismatch(await v.data(), want.values), `sort ${what}`).toBeNull();
            expect(firstMismatch(await i.data(), want.indices), `argsort ${what}`).toBeNull();
            v.dispose();
            i.dispose();
          }
          t.dispose();
        }
      };
      if (backend === 'webgpu') await withVariant(gb, 'sort', variant, body);
      else await body();
    });
  }

  const topkVariants: SortVariant[] =
    backend === 'webgpu' ? ['auto', 'naive', 'bitonic', 'select'] : ['auto'];
  for (const variant of topkVariants) {
    it(`topk with small k matches the float64 reference: ties, NaN, -0/+0 (${variant})`, async () => {
      const gb = use();
      const body = async () => {
        for (const [c, shape] of TOPK_SHAPES.entries()) {
          const n = shape[shape.length - 1];
          // The insertion-sort rung is O(n^2) per row on one invocation: keep its rows short here.
          if (variant === 'naive' && n > 1100) continue;
          const x = topkData(shape, c);
          const t = gb.tensor(x, shape);
          for (const k of TOPK_KS) {
            const want = topkRef(x, shape, k);
            const r = t.topk(k);
            expect(r.values.shape).toEqual([...shape.slice(0, -1), k]);
            const what = `topk ${k} of ${shape} (case ${c})`;
            expect(firstMismatch(await r.indices.data(), want.indices), `${what} indices`).toBeNull();
            expect(firstMismatch(await r.values.data(), want.values), `${what} values`).toBeNull();
            r.values.dispose();
            r.indices.dispose();
          }
          t.dispose();
        }
      };
      if (backend === 'webgpu') await withVariant(gb, 'sort', variant, body);
      else await body();
    });
  }

  if (backend === 'webgpu') {
    it('select: ascending through the backend; k over its limit is refused when forced', async () => {
      const gb = use();
      const engine = gb.engine as WebGpuBackend;
      await withVariant(gb, 'sort', 'select', async () => {
        // topk only asks for the largest; the backend's sort also takes descending = false.
        for (const [c, shape] of [[257], [3, 2049]].entries()) {
          const x = topkData(shape, c + 1);
          const n = shape[shape.length - 1];
          const s = engine.upload(x);
          const r = engine.sort(s, size(shape) / n, n, false, 10);
          const want = topkRef(x, shape, 10, false);
          expect(firstMismatch(await engine.read(r.indices), want.indices), `${shape}`).toBeNull();
          expect(firstMismatch(await engine.read(r.values), want.values), `${shape}`).toBeNull();
          for (const b of [s, r.values, r.indices]) engine.free(b);
        }
        const t = gb.tensor(randomData(100, 3), [100]);
        expect(() => t.topk(33)).toThrow(GradboxError);
        expect(() => t.topk(33)).toThrow(/'select' variant keeps at most 32 values per row, got k = 33/);
        t.dispose();
      });
    });
  } else {
    it('the select and full-sort paths give identical results (both orders, every k)', () => {
      for (const [c, shape] of [[63], [257], [3, 2049]].entries()) {
        const x = topkData(shape, c);
        const n = shape[shape.length - 1];
        const rows = size(shape) / n;
        for (const desc of [true, false])
          for (const k of [0, 1, 5, 32, n]) {
            const run = (path: CpuSortPath) => cpuSort({ length: x.length, data: x }, rows, n, desc, k, path);
            const a = run('select');
            const b = run('sort');
            const what = `${shape} desc ${desc} k ${k}`;
            // Object.is: the same elements, -0 kept apart from +0, NaN equal to NaN.
            expect(
              Array.from(a.values.data)
                .map((v, i) => Object.is(v, b.values.data[i]))
                .every(Boolean),
              what,
            ).toBe(true);
            expect(Array.from(a.indices.data), what).toEqual(Array.from(b.indices.data));
            const want = topkRef(x, shape, k, desc);
            expect(firstMismatch(a.indices.data, want.indices), what).toBeNull();
          }
      }
    });
  }

  it('argsort is stable with ties; NaN goes last in both orders; -0 and +0 tie', async () => {
    const gb = use();
    const t = gb.tensor([3, 1, Number.NaN, 1, -Infinity, 3, Infinity, Number.NaN, -0, 0]);
    expect(Array.from(await t.argsort().data())).toEqual([4, 8, 9, 1, 3, 0, 5, 6, 2, 7]);
    expect(Array.from(await t.argsort(-1, true).data())).toEqual([6, 0, 5, 1, 3, 8, 9, 4, 2, 7]);
    const s = Array.from(await t.sort().data());
    expect(s.slice(0, 8)).toEqual([-Infinity, -0, 0, 1, 1, 3, 3, Infinity]);
    expect(s.slice(8).every(Number.isNaN)).toBe(true);
  });

  it('topk: the k largest along the last axis, largest first, ties to the lower position', async () => {
    const gb = use();
    const t = gb.tensor([
      [1, 5, 5, 2, Number.NaN],
      [0, -1, 7, 7, 7],
    ]);
    const { values, indices } = t.topk(3);
    expect(values.shape).toEqual([2, 3]);
    expect(await values.toArray()).toEqual([
      [5, 5, 2],
      [7, 7, 7],
    ]);
    expect(await indices.toArray()).toEqual([
      [1, 2, 3],
      [2, 3, 4],
    ]);
    const shape = [3, 600];
    const x = randomData(size(shape), 9);
    const r = gb.tensor(x, shape).topk(10);
    const want = sortRef(x, shape, 1, true);
    const wantV: number[] = [];
    const wantI: number[] = [];
    for (let row = 0; row < 3; row++)
      for (let c = 0; c < 10; c++) {
        wantV.push(want.values[row * 600 + c]);
        wantI.push(want.indices[row * 600 + c]);
      }
    expect(firstMismatch(await r.values.data(), wantV)).toBeNull();
    expect(firstMismatch(await r.indices.data(), wantI)).toBeNull();
    expect(gb.tensor([1, 2]).topk(0).values.shape).toEqual([0]);
  });

  it('gradients of sort and topk put g back where each value came from', async () => {
    const gb = use();
    const x = gb.tensor(randomData(15, 4), [3, 5]);
    const w = gb.tensor(randomData(15, 5), [3, 5]);
    for (const [axis, desc] of [
      [-1, false],
      [0, true],
    ] as const) {
      const r = await gb.checkGrad((a) => a.sort(axis, desc).mul(w).sum(), [x]);
      expect(r.maxRelError, `sort axis ${axis}`).toBeLessThan(1e-4);
    }
    const w2 = gb.tensor(randomData(6, 6), [3, 2]);
    const r2 = await gb.checkGrad((a) => a.topk(2).values.mul(w2).sum(), [x]);
    expect(r2.maxRelError).toBeLessThan(1e-4);
    const [g] = gb.grad((a) =>
      a
        .sort()
        .mul(gb.tensor([1, 10, 100]))
        .sum(),
    )(gb.tensor([5, 1, 3]));
    expect(Array.from(await g.data())).toEqual([100, 1, 10]);
  });

  it('errors say what was given and what is expected', () => {
    const gb = use();
    const t = gb.tensor([1, 2, 3]);
    expect(() => gb.tensor(1).sort()).toThrow(GradboxError);
    expect(() => gb.tensor(1).sort()).toThrow(/sort: needs at least one axis, got a scalar/);
    expect(() => gb.tensor(1).argsort()).toThrow(/argsort: needs at least one axis/);
    expect(() => t.sort(1)).toThrow(/sort: axis 1 is out of range for a tensor of rank 1/);
    expect(() => t.argsort(-1, 'yes' as unknown as boolean)).toThrow(
      /argsort: descending must be true or false, got "yes"/,
    );
    expect(() => t.sort(-1, 1 as unknown as boolean)).toThrow(
      /sort: descending must be true or false, got 1/,
    );
    expect(() => t.topk(4)).toThrow(
      /topk: k must be an integer from 0 to the length of the last axis \(3 in \(3\)\), got 4/,
    );
    expect(() => t.topk(1.5)).toThrow(/topk: k must be an integer/);
    expect(() => gb.tensor(1).topk(1)).toThrow(/topk: needs at least one axis/);
  });
});
