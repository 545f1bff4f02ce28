// Indexing and shape ops on both backends: slice, flip, pad, concat, stack, split, tile, squeeze, expandDims.
// Each is checked against a float64 reference written here as the plainest loop over NumPy's definition,
// on shapes that cross the workgroup size (129, 257, 65), with negative indices, steps, empty results,
// every error message, and checkGrad for the gradients.
import { expect, it } from 'vitest';
import { type Context, GradboxError, type Tensor } from '../src/index';
import { eachBackend, held } from './helpers/backends';
import { expectClose, randomData } from './helpers/close';
import { ravel, size, unravel } from './helpers/reference';

const EXACT = { rtol: 0, atol: 0 };

/** The indices NumPy's x[start:end:step] picks along an axis of length d (positive step). */
function numpyRange(d: number, start?: number | null, end?: number | null, step?: number | null): number[] {
  const k = step ?? 1;
  const norm = (i: number) => {
    let j = i < 0 ? i + d : i;
    if (j < 0) j = 0;
    if (j > d) j = d;
    return j;
  };
  const s = start === undefined || start === null ? 0 : norm(start);
  const e = end === undefined || end === null ? d : norm(end);
  const out: number[] = [];
  for (let i = s; i < e; i += k) out.push(i);
  return out;
}

/** Gathers x at the product of per-axis index lists. */
function pick(
  x: ArrayLike<number>,
  shape: number[],
  lists: number[][],
): { data: Float64Array; shape: number[] } {
  const outShape = lists.map((l) => l.length);
  const out = new Float64Array(size(outShape));
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, outShape);
    out[i] =
      x[
        ravel(
          idx.map((j, a) => lists[a][j]),
          shape,
        )
      ];
  }
  return { data: out, shape: outShape };
}

function sliceRef(
  x: ArrayLike<number>,
  shape: number[],
  starts: (number | null)[],
  ends: (number | null)[] = [],
  steps: (number | null)[] = [],
) {
  return pick(
    x,
    shape,
    shape.map((d, a) => numpyRange(d, starts[a], ends[a], steps[a])),
  );
}

function weighted(gb: Context, y: Tensor, seed: number): Tensor {
  return y.mul(gb.tensor(randomData(y.size, seed), y.shape)).sum();
}

async function gradOk(gb: Context, f: (...xs: Tensor[]) => Tensor, shapes: number[][], what: string) {
  const inputs = shapes.map((s, i) => gb.tensor(randomData(size(s), 40 + i), s));
  const res = await gb.checkGrad((...xs) => weighted(gb, f(...xs), 7), inputs);
  expect(res.ok, `${what}: ${JSON.stringify(res.inputs)}`).toBe(true);
  inputs.forEach((t) => t.dispose());
}

eachBackend('shape ops', (use) => {
  it('slice matches NumPy basic slicing: negative indices, clamping, steps, partial lists', async () => {
    const gb = use();
    const cases: [number[], (number | null)[], (number | null)[]?, (number | null)[]?][] = [
      [
        [3, 129],
        [1, 5],
        [3, 128],
        [1, 3],
      ],
      [
        [3, 129],
        [-2, -100],
      ],
      [
        [3, 129],
        [0, 0],
        [null, null],
        [2, 7],
      ],
      [[65, 2, 5], [3], [64], [4]],
      [
        [65, 2, 5],
        [-1000, 1, -4],
        [1000, 2, -1],
        [1, 1, 2],
      ],
      [
        [65, 2, 5],
        [null, null, 4],
        [null, null, 1000],
      ],
      [[257], [-257], [257], [256]],
      [[257], [5], [-5], [13]],
      [
        [2, 3, 4, 5],
        [1, -2, 1, 2],
        [2, 3, -1, 5],
        [1, 1, 2, 2],
      ],
    ];
    for (const [shape, s, e, k] of cases) {
      const x = randomData(size(shape), 3);
      const want = sliceRef(x, shape, s, e, k);
      const y = gb.tensor(x, shape).slice(s, e, k);
      const what = `slice ${shape} [${s}] [${e ?? ''}] [${k ?? ''}]`;
      expect(y.shape, what).toEqual(want.shape);
      expectClose(await y.data(), want.data, EXACT, what);
    }
  });

  it('slice gives empty results where NumPy does, and works on empty tensors', async () => {
    const gb = use();
    const x = gb.tensor(randomData(3 * 129, 1), [3, 129]);
    expect(x.slice([2], [1]).shape).toEqual([0, 129]);
    expect(x.slice([5]).shape).toEqual([0, 129]);
    expect(x.slice([0, -1], [3, -1]).shape).toEqual([3, 0]);
    expect(await x.slice([0, 200]).data()).toEqual(new Float32Array(0));
    const e = gb.zeros([0, 4]);
    expect(e.slice([0, 1], [1, 3]).shape).toEqual([0, 2]);
    expect(gb.tensor(5).slice([]).shape).toEqual([]);
    expect(await gb.tensor(5).slice([]).item()).toBe(5);
  });

  it('flip reverses the given axes (all by default), negative axes count from the end', async () => {
    const gb = use();
    const cases: [number[], number | number[] | undefined][] = [
      [[257], undefined],
      [[3, 129], 1],
      [[3, 129], 0],
      [
        [65, 2, 5],
        [0, 2],
      ],
      [[65, 2, 5], -2],
      [[65, 2, 5], undefined],
      [[0, 3], undefined],
    ];
    for (const [shape, axes] of cases) {
      const x = randomData(size(shape), 4);
      const list =
        axes === undefined
          ? shape.map((_, a) => a)
          : [axes].flat().map((a) => (a + shape.length) % shape.length);
      const want = pick(
        x,
        shape,
        shape.map((d, a) => [...Array(d).keys()].map((i) => (list.includes(a) ? d - 1 - i : i))),
      );
      const y = gb.tensor(x, shape).flip(axes);
      expect(y.shape).toEqual(shape);
      expectClose(await y.data(), want.data, EXACT, `flip ${shape} ${axes}`);
    }
  });

  it('flip and slice past the 65,535-workgroup dispatch limit (2^24 + 300 elements)', async () => {
    const gb = use();
    const n = 2 ** 24 + 300;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = i % 1009;
    const t = gb.tensor(x, [n]);
    const f = await t.flip().data();
    for (let i = 0; i < n; i++) {
      if (f[i] !== x[n - 1 - i]) throw new Error(`flip: first mismatch at ${i}: ${f[i]} vs ${x[n - 1 - i]}`);
    }
    const s = await t.slice([1], [n], [2]).data();
    expect(s.length).toBe(Math.ceil((n - 1) / 2));
    for (let i = 0; i < s.length; i++) {
      if (s[i] !== x[1 + 2 * i]) throw new Error(`slice: first mismatch at ${i}: ${s[i]} vs ${x[1 + 2 * i]}`);
    }
    t.dispose();
  });

  it('pad with a value, in every widths form NumPy accepts', async () => {
    const gb = use();
    const cases: [number[], unknown, number][] = [
      [
        [3, 129],
        [
          [1, 2],
          [0, 130],
        ],
        0,
      ],
      [[257], [[3, 0]], -1.5],
      [[65, 2, 5], [1, 2], 7],
      [[2, 3], 1, Number.NaN],
      [
        [0, 3],
        [
          [1, 1],
          [2, 0],
        ],
        4,
      ],
    ];
    for (const [shape, widths, value] of cases) {
      const x = randomData(size(shape), 6);
      const w: [number, number][] =
        typeof widths === 'number'
          ? shape.map(() => [widths, widths])
          : (widths as unknown[]).length === 2 && typeof (widths as unknown[])[0] === 'number'
            ? shape.map(() => widths as [number, number])
            : (widths as [number, number][]).length === 1
              ? shape.map(() => (widths as [number, number][])[0])
              : (widths as [number, number][]);
      const outShape = shape.map((d, a) => d + w[a][0] + w[a][1]);
      const want = new Float64Array(size(outShape));
      for (let i = 0; i < want.length; i++) {
        const idx = unravel(i, outShape).map((j, a) => j - w[a][0]);
        const inside = idx.every((j, a) => j >= 0 && j < shape[a]);
        want[i] = inside ? x[ravel(idx, shape)] : Math.fround(value);
      }
      const y = gb.tensor(x, shape).pad(widths as number, value);
      expect(y.shape).toEqual(outShape);
      expectClose(await y.data(), want, EXACT, `pad ${shape} ${JSON.stringify(widths)}`);
    }
  });

  it('concat along any axis, with empty parts; stack along a new axis', async () => {
    const gb = use();
    const shapes = [
      [3, 129, 2],
      [3, 1, 2],
      [3, 0, 2],
      [3, 127, 2],
    ];
    const data = shapes.map((s, i) => randomData(size(s), 10 + i));
    const ts = shapes.map((s, i) => gb.tensor(data[i], s));
    for (const axis of [1, -2]) {
      const y = gb.concat(ts, axis);
      const outShape = [3, 257, 2];
      expect(y.shape).toEqual(outShape);
      const want = new Float64Array(size(outShape));
      for (let i = 0; i < want.length; i++) {
        const [a, b, c] = unravel(i, outShape);
        let j = b;
        let part = 0;
        while (j >= shapes[part][1]) j -= shapes[part++][1];
        want[i] = data[part][ravel([a, j, c], shapes[part])];
      }
      expectClose(await y.data(), want, EXACT, `concat axis ${axis}`);
    }
    const rows = [randomData(65 * 5, 1), randomData(2 * 5, 2)];
    const r = gb.concat([gb.tensor(rows[0], [65, 5]), gb.tensor(rows[1], [2, 5])]);
    expectClose(await r.data(), [...rows[0], ...rows[1]], EXACT, 'concat axis 0');

    const parts = [0, 1, 2].map((i) => randomData(65 * 2, 20 + i));
    const pt = parts.map((p) => gb.tensor(p, [65, 2]));
    for (const axis of [0, 1, 2, -1, -3]) {
      const ax = axis < 0 ? axis + 3 : axis;
      const y = gb.stack(pt, axis);
      const outShape = [65, 2];
      outShape.splice(ax, 0, 3);
      expect(y.shape).toEqual(outShape);
      const want = new Float64Array(size(outShape));
      for (let i = 0; i < want.length; i++) {
        const idx = unravel(i, outShape);
        const [k] = idx.splice(ax, 1);
        want[i] = parts[k][ravel(idx, [65, 2])];
      }
      expectClose(await y.data(), want, EXACT, `stack axis ${axis}`);
    }
    expect(await gb.stack([gb.tensor(1), gb.tensor(2)]).toArray()).toEqual([1, 2]);
  });

  it('split into equal parts or sizes, on any axis, with empty parts', async () => {
    const gb = use();
    const x = randomData(3 * 129, 9);
    const t = gb.tensor(x, [3, 129]);
    const thirds = t.split(3, 1);
    expect(thirds.map((p) => p.shape)).toEqual([
      [3, 43],
      [3, 43],
      [3, 43],
    ]);
    for (let k = 0; k < 3; k++) {
      expectClose(await thirds[k].data(), sliceRef(x, [3, 129], [0, 43 * k], [3, 43 * (k + 1)]).data, EXACT);
    }
    const parts = t.split([100, 0, 29], -1);
    expect(parts.map((p) => p.shape)).toEqual([
      [3, 100],
      [3, 0],
      [3, 29],
    ]);
    expectClose(await parts[2].data(), sliceRef(x, [3, 129], [0, 100]).data, EXACT);
    const rows = t.split(3);
    expectClose(await rows[1].data(), x.slice(129, 258), EXACT);
  });

  it('tile repeats like NumPy, also with fewer or more reps than axes and zero reps', async () => {
    const gb = use();
    const cases: [number[], number[]][] = [
      [
        [3, 129],
        [2, 1],
      ],
      [[257], [3]],
      [[65, 2, 5], [2]],
      [
        [2, 5],
        [2, 1, 3],
      ],
      [
        [2, 3],
        [0, 2],
      ],
    ];
    for (const [shape, reps] of cases) {
      const x = randomData(size(shape), 12);
      const rank = Math.max(shape.length, reps.length);
      const dims = [...Array(rank - shape.length).fill(1), ...shape];
      const rs = [...Array(rank - reps.length).fill(1), ...reps];
      const outShape = dims.map((d, a) => d * rs[a]);
      const want = new Float64Array(size(outShape));
      for (let i = 0; i < want.length; i++) {
        want[i] =
          x[
            ravel(
              unravel(i, outShape).map((j, a) => j % dims[a]),
              dims,
            )
          ];
      }
      const y = gb.tensor(x, shape).tile(reps);
      expect(y.shape).toEqual(outShape);
      expectClose(await y.data(), want, EXACT, `tile ${shape} ${reps}`);
    }
  });

  it('squeeze and expandDims are views with the right shapes', async () => {
    const gb = use();
    const x = gb.tensor(randomData(65 * 5, 2), [1, 65, 1, 5, 1]);
    const before = held(gb).bytes;
    const s = x.squeeze();
    expect(s.shape).toEqual([65, 5]);
    expect(x.squeeze([0, -1]).shape).toEqual([65, 1, 5]);
    expect(x.squeeze(2).shape).toEqual([1, 65, 5, 1]);
    expect(s.expandDims(0).shape).toEqual([1, 65, 5]);
    expect(s.expandDims(2).shape).toEqual([65, 5, 1]);
    expect(s.expandDims(-1).shape).toEqual([65, 5, 1]);
    expect(s.expandDims(-3).shape).toEqual([1, 65, 5]);
    expect(held(gb).bytes).toBe(before); // views share storage
    expectClose(await s.expandDims(1).data(), await x.data(), EXACT);
    expect(gb.tensor(3).expandDims(0).shape).toEqual([1]);
  });

  it('says what was given, what was expected and what to do on bad arguments', () => {
    const gb = use();
    const x = gb.zeros([3, 4]);
    const cases: [() => unknown, RegExp][] = [
      [() => x.slice([0, 0, 0]), /starts has 3 entries but the tensor \(3,4\) has 2 axes/],
      [() => x.slice(5 as never), /starts must be an array with one integer per leading axis, got 5/],
      [() => x.slice([0.5]), /starts\[0\] must be an integer, got 0.5/],
      [
        () => x.slice([0], [2], [0]),
        /steps\[0\] must be a positive integer, got 0; to reverse an axis use flip\(0\)/,
      ],
      [() => x.slice([0], [2], [-1]), /steps\[0\] must be a positive integer, got -1/],
      [() => x.slice([0], ['a' as never]), /ends\[0\] must be an integer, got "a"/],
      [() => x.flip(2), /flip: axis 2 is out of range for a tensor of rank 2; valid: -2..1/],
      [() => x.flip([0, 0]), /flip: axis 0 is listed twice/],
      [() => x.pad([[1, 1]], 'a' as never), /pad: value must be a number, got "a"/],
      [
        () =>
          x.pad([
            [1, 1],
            [0, 0],
            [1, 1],
          ]),
        /got 3 \[before, after\] pairs for a tensor \(3,4\) of rank 2/,
      ],
      [
        () =>
          x.pad([
            [1, -1],
            [0, 0],
          ]),
        /every width must be a non-negative integer, got -1/,
      ],
      [
        () => x.pad([[1, 2, 3]]),
        /widths must be a non-negative integer, a pair \[before, after\], or one pair per axis/,
      ],
      [() => x.pad('x' as never), /widths must be .* got "x" \(string\)/],
      [() => gb.concat([]), /concat: expected a non-empty array of tensors, got an array of length 0/],
      [
        () => gb.concat([x, gb.zeros([3, 5])]),
        /tensor 1 has shape \(3,5\), which does not match \(3,4\) apart from axis 0/,
      ],
      [() => gb.concat([x, gb.zeros([4])]), /tensor 1 has shape \(4\).*every tensor needs rank 2/],
      [() => gb.concat([gb.tensor(1)]), /cannot concatenate scalars.*use stack\(\)/],
      [() => gb.concat([x], 2), /concat: axis 2 is out of range/],
      [() => gb.concat([x, 3 as never]), /concat: expected a Tensor, got 3/],
      [() => gb.stack([x, gb.zeros([4, 3])]), /tensor 1 has shape \(4,3\) but tensor 0 has \(3,4\)/],
      [() => gb.stack([x], 3), /stack: axis must be an integer in -3..2 for tensors \(3,4\), got 3/],
      [
        () => x.split(3, 1),
        /axis 1 of \(3,4\) has length 4, which 3 equal parts do not divide; pass an array of sizes/,
      ],
      [() => x.split(0), /sections must be a positive integer/],
      [() => x.split([1, 1]), /sizes \[1, 1\] add up to 2 but axis 0 of \(3,4\) has length 3/],
      [() => x.split([4, -1]), /every size must be a non-negative integer, got -1/],
      [() => x.split('2' as never), /sections must be a positive integer or an array of sizes, got "2"/],
      [() => x.tile([-1]), /every repetition count must be a non-negative integer, got -1/],
      [() => x.tile('2' as never), /reps must be an array of non-negative integers, got "2"/],
      [() => x.squeeze(0), /axis 0 of \(3,4\) has length 3, not 1, so it cannot be removed/],
      [() => x.squeeze(5), /squeeze: axis 5 is out of range/],
      [() => x.expandDims(3), /expandDims: axis must be an integer in -3..2 for a tensor \(3,4\), got 3/],
    ];
    for (const [f, re] of cases) {
      expect(f).toThrow(GradboxError);
      expect(f).toThrow(re);
    }
  });

  it('checkGrad: slice, flip, pad, concat, stack, split, tile, squeeze, expandDims', async () => {
    const gb = use();
    await gradOk(gb, (x) => x.slice([1, -7], [3, 200], [1, 3]), [[3, 11]], 'slice');
    await gradOk(gb, (x) => x.slice([1]).slice([0, 1], [2, 9], [1, 4]), [[3, 11]], 'slice of slice');
    await gradOk(gb, (x) => x.flip([0, 2]), [[2, 3, 4]], 'flip');
    await gradOk(
      gb,
      (x) =>
        x.pad(
          [
            [1, 0],
            [2, 3],
          ],
          0.5,
        ),
      [[2, 3]],
      'pad',
    );
    await gradOk(
      gb,
      (a, b) => gb.concat([a, b, a], 1),
      [
        [2, 3],
        [2, 2],
      ],
      'concat',
    );
    await gradOk(
      gb,
      (a, b) => gb.stack([a, b], -1),
      [
        [2, 3],
        [2, 3],
      ],
      'stack',
    );
    await gradOk(
      gb,
      (x) => {
        const [p, q] = x.split([1, 3], 1);
        return p.mul(q.slice([0, 2])).add(q.sum(1, true));
      },
      [[2, 4]],
      'split',
    );
    await gradOk(gb, (x) => x.tile([2, 1, 3]), [[2, 3]], 'tile');
    await gradOk(gb, (x) => x.squeeze().expandDims(1).square(), [[1, 3, 1]], 'squeeze/expandDims');
  });

  it('frees its temporaries outside grad()', async () => {
    const gb = use();
    const x = gb.tensor(randomData(6, 1), [2, 3]);
    const start = held(gb);
    const outs = [
      x.slice([1]),
      x.flip(),
      x.pad(1),
      gb.concat([x, x]),
      gb.stack([x, x], 1),
      x.tile([2, 2]),
      ...x.split(3, 1),
    ];
    expect(held(gb).tensors).toBe(start.tensors + outs.length);
    outs.forEach((t) => t.dispose());
    expect(held(gb)).toEqual(start);
  });
});
