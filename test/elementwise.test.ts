// Elementwise ops on both backends against float64 references: every unary and binary op, broadcasting
// in every direction, number operands, where, and IEEE special values.
import { expect, it } from 'vitest';
import { eachBackend } from './helpers/backends';
import { expectClose, F32, randomData } from './helpers/close';
import { mapBroadcast } from './helpers/reference';

// Shapes include 1, primes and 257 (just over the 256-wide workgroups).
const SHAPES: number[][] = [[1], [7], [257], [3, 5], [2, 3, 7], [1031]];

const UNARY: [string, (x: number) => number, (d: Float32Array) => Float32Array, number][] = [
  // [name, reference, input transform, rtol]. exp/log/tanh/sigmoid are float32 transcendental functions
  // whose GPU versions are accurate to a few ulps, hence 1e-5 relative.
  ['neg', (x) => -x, (d) => d, 0],
  ['abs', Math.abs, (d) => d, 0],
  ['exp', Math.exp, (d) => d.map((v) => v * 5), 1e-5],
  ['log', Math.log, (d) => d.map((v) => Math.abs(v) * 10 + 1e-3), 1e-5],
  ['sqrt', Math.sqrt, (d) => d.map((v) => Math.abs(v) * 10), 1e-6],
  ['square', (x) => x * x, (d) => d.map((v) => v * 3), 1e-6],
  ['tanh', Math.tanh, (d) => d.map((v) => v * 4), 1e-5],
  ['sigmoid', (x) => 1 / (1 + Math.exp(-x)), (d) => d.map((v) => v * 8), 1e-5],
  ['relu', (x) => Math.max(0, x), (d) => d, 0],
];

const BINARY: [string, (a: number, b: number) => number, number][] = [
  ['add', (a, b) => a + b, 1e-6],
  ['sub', (a, b) => a - b, 1e-6],
  ['mul', (a, b) => a * b, 1e-6],
  ['div', (a, b) => a / b, 1e-6],
  ['maximum', Math.max, 0],
  ['minimum', Math.min, 0],
  ['greater', (a, b) => +(a > b), 0],
  ['greaterEqual', (a, b) => +(a >= b), 0],
  ['less', (a, b) => +(a < b), 0],
  ['lessEqual', (a, b) => +(a <= b), 0],
  ['equal', (a, b) => +(a === b), 0],
  ['notEqual', (a, b) => +(a !== b), 0],
];

type Method = (
  this: unknown,
  ...args: unknown[]
) => { data(): Promise<Float32Array>; shape: readonly number[] };

eachBackend('elementwise', (use) => {
  for (const [name, ref, prep, rtol] of UNARY) {
    it(`${name} matches float64 on shapes ${SHAPES.map((s) => s.join('x')).join(', ')}`, async () => {
      const gb = use();
      for (const [k, shape] of SHAPES.entries()) {
        const n = shape.reduce((a, b) => a * b, 1);
        const x = prep(randomData(n, 11 + k, 1));
        const t = gb.tensor(x, shape);
        const y = (t as unknown as Record<string, Method>)[name].call(t);
        expect(y.shape).toEqual(shape);
        expectClose(await y.data(), Array.from(x, ref), { rtol, atol: 1e-7 }, `${name} ${shape}`);
      }
    });
  }

  const PAIRS: [number[], number[]][] = [
    [[257], [257]],
    [[3, 5], [5]],
    [
      [3, 1],
      [1, 7],
    ],
    [
      [2, 1, 5],
      [3, 1],
    ],
    [[1], [2, 3, 7]],
    [
      [4, 1, 3, 1],
      [2, 1, 5],
    ],
  ];
  for (const [name, ref, rtol] of BINARY) {
    it(`${name} broadcasts like NumPy`, async () => {
      const gb = use();
      for (const [k, [sa, sb]] of PAIRS.entries()) {
        const a = randomData(
          sa.reduce((x, y) => x * y, 1),
          100 + k,
          3,
        );
        // Round b so comparisons meet ties; keep divisors away from 0.
        const b = randomData(
          sb.reduce((x, y) => x * y, 1),
          200 + k,
          3,
        ).map((v, i) => (i % 3 === 0 ? a[0] : v));
        const bSafe = name === 'div' ? b.map((v) => (Math.abs(v) < 0.1 ? 0.5 : v)) : b;
        const ta = gb.tensor(a, sa);
        const tb = gb.tensor(bSafe, sb);
        const y = (ta as unknown as Record<string, Method>)[name].call(ta, tb);
        const want = mapBroadcast(
          [
            { data: a, shape: sa },
            { data: bSafe, shape: sb },
          ],
          ref,
        );
        expect(y.shape).toEqual(want.shape);
        expectClose(await y.data(), want.data, { rtol, atol: 1e-6 }, `${name} ${sa} ${sb}`);
        // The mirrored direction broadcasts too.
        const y2 = (tb as unknown as Record<string, Method>)[name].call(tb, ta);
        const want2 = mapBroadcast(
          [
            { data: bSafe, shape: sb },
            { data: a, shape: sa },
          ],
          ref,
        );
        expectClose(
          await y2.data(),
          want2.data,
          { rtol, atol: name === 'div' ? 1e-4 : 1e-6 },
          `${name} ${sb} ${sa}`,
        );
      }
    });
  }

  it('takes numbers as scalar operands on either side', async () => {
    const gb = use();
    const x = gb.tensor([
      [1, -2, 3],
      [4, 5, -6],
    ]);
    expect(await x.add(1).toArray()).toEqual([
      [2, -1, 4],
      [5, 6, -5],
    ]);
    expect(await x.sub(0.5).data()).toEqual(new Float32Array([0.5, -2.5, 2.5, 3.5, 4.5, -6.5]));
    expect(await x.mul(2).div(4).toArray()).toEqual([
      [0.5, -1, 1.5],
      [2, 2.5, -3],
    ]);
    expect(await x.greater(2).toArray()).toEqual([
      [0, 0, 1],
      [1, 1, 0],
    ]);
    expect(await x.maximum(0).toArray()).toEqual([
      [1, 0, 3],
      [4, 5, 0],
    ]);
    expect(await gb.tensor(7).mul(x).toArray()).toEqual([
      [7, -14, 21],
      [28, 35, -42],
    ]);
  });

  it('pow follows IEEE pow for negative bases, zero and fractional exponents', async () => {
    const gb = use();
    const base = [2, -2, -2, -2, 0, 0, 0, 9, 1.5, -1];
    const expo = [3, 2, 3, 0.5, 2, 0, -1, 0.5, -2, 1e9];
    const got = await gb.tensor(base).pow(gb.tensor(expo)).data();
    // exp2/log2 in float32 carries a few ulps of error.
    expectClose(
      got,
      base.map((b, i) => b ** expo[i]),
      { rtol: 1e-5, atol: 0 },
      'pow',
    );
  });

  it('where picks with a broadcast 0/1 mask, numbers allowed', async () => {
    const gb = use();
    const c = gb.tensor([[1], [0]]);
    const a = gb.tensor([1, 2, 3]);
    expect(await c.where(a, -1).toArray()).toEqual([
      [1, 2, 3],
      [-1, -1, -1],
    ]);
    expect(await gb.where(gb.tensor([0, 1, 0]), 5, a).toArray()).toEqual([1, 5, 3]);
  });

  it('propagates NaN and Infinity as IEEE arithmetic does', async () => {
    const gb = use();
    const x = gb.tensor([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -1]);
    expectClose(await x.add(1).data(), [Number.NaN, Infinity, -Infinity, 1, 0]);
    expectClose(await x.mul(0).data(), [Number.NaN, Number.NaN, Number.NaN, 0, -0]);
    expectClose(await x.relu().data(), [Number.NaN, Infinity, 0, 0, 0]);
    expectClose(await x.exp().data(), [Number.NaN, Infinity, 0, 1, Math.exp(-1)], { rtol: 1e-6 });
    expectClose(await x.log().data(), [Number.NaN, Infinity, Number.NaN, -Infinity, Number.NaN]);
    expectClose(await x.sqrt().data(), [Number.NaN, Infinity, Number.NaN, 0, Number.NaN]);
    expectClose(await x.tanh().data(), [Number.NaN, 1, -1, 0, Math.tanh(-1)], { rtol: 1e-6 });
    expectClose(await x.sigmoid().data(), [Number.NaN, 1, 0, 0.5, 1 / (1 + Math.E)], { rtol: 1e-6 });
    expectClose(await x.maximum(0).data(), [Number.NaN, Infinity, 0, 0, 0]);
    expectClose(await x.equal(x).data(), [0, 1, 1, 1, 1]);
    expectClose(await x.notEqual(x).data(), [1, 0, 0, 0, 0]);
    expectClose(await x.div(0).data(), [Number.NaN, Infinity, -Infinity, Number.NaN, -Infinity]);
  });

  it('handles tensors far larger than one dispatch row (2-D grid)', async () => {
    const gb = use();
    const n = 65535 * 256 + 1000; // more workgroups than fit in one dimension
    const y = gb
      .ones([n])
      .mul(3)
      .add(gb.tensor([1]));
    const d = await y.data();
    expect(d.length).toBe(n);
    expect(d[0]).toBe(4);
    expect(d[n - 1]).toBe(4);
    expect(d.every((v) => v === 4)).toBe(true);
  });
  void F32;
});
