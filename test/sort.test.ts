// sort, argsort and topk on both backends against float64 references (a stable sort of (value, position)
// with NaN last): rows around the bitonic block (512) and power-of-two paddings, long rows, along axis 0
// and -1, every WebGPU rung forced; stability with ties, NaN placement, gradients, errors.
import { expect, it } from 'vitest';
import type { SortVariant } from '../src/backends/webgpu/kernels/scan';
import type { WebGpuBackend } from '../src/backends/webgpu/webgpu_backend';
import { type Context, GradboxError } from '../src/index';
import { eachBackend } from './helpers/backends';
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

async function withSort(gb: Context, variant: SortVariant, body: () => Promise<void>) {
  const engine = gb.engine as WebGpuBackend;
  engine.variants.sort = variant;
  try {
    await body();
  } finally {
    engine.variants.sort = 'auto';
  }
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
      if (backend === 'webgpu') await withSort(gb, variant, body);
      else await body();
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
