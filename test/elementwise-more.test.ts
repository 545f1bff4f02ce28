// Issue 9's elementwise ops on both backends against float64 references computed here: trigonometric and
// hyperbolic functions, rounding, log1p, expm1, erf, reciprocal, rsqrt, atan2, leakyRelu, elu, gelu, clip,
// stopGradient; on sizes around the 256-wide workgroups, with edge values (zeros, +-1, huge and tiny
// arguments, infinities, NaN), and checkGrad for every differentiable one.
import { expect, it } from 'vitest';
import { GradboxError, type Tensor } from '../src/index';
import { eachBackend } from './helpers/backends';
import { expectClose, randomData, type Tolerance } from './helpers/close';
import { mapBroadcast } from './helpers/reference';

const SIZES = [1, 63, 64, 65, 257, 3 * 129];
const shapeOf = (n: number) => (n === 3 * 129 ? [3, 129] : [n]);

/**
 * erf in float64 by its definition, 2/sqrt(pi) times the integral of exp(-t^2) over [0, x], with
 * composite Simpson's rule on steps of at most 1e-3 (error ~ h^4 max|f''''| / 180 ~ 1e-14). Independent
 * of the library's series and continued fraction. Past 6, erf is 1 to float64 precision.
 */
function erfRef(x: number): number {
  if (Number.isNaN(x)) return x;
  const b = Math.min(Math.abs(x), 6);
  if (b === 0) return 0;
  const n = 2 * Math.ceil(b / 2e-3);
  const h = b / n;
  let s = 1 + Math.exp(-b * b);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * Math.exp(-((i * h) ** 2));
  return Math.sign(x) * ((2 / Math.sqrt(Math.PI)) * (h / 3) * s);
}

const rint = (x: number) => {
  const f = Math.floor(x);
  const d = x - f;
  return d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
};

const span = (lo: number, hi: number) => (d: Float32Array) => d.map((v) => lo + ((v + 1) / 2) * (hi - lo));

type UnaryCase = {
  name: string;
  ref: (x: number) => number;
  /** Maps random values in [-1, 1) to the op's test range. */
  prep: (d: Float32Array) => Float32Array;
  /** Written over the first elements of each input (as many as fit). */
  edges: number[];
  tol: Tolerance;
};

// Tolerances. Against float64 references rounded to float32: 2e-6 relative is a few ulps; the CPU
// backend is within one rounding. The WebGPU kernels are gradbox's own float32 code with a stated error
// (see shaders/elementwise.wgsl), not WGSL's builtins, whose bounds are loose (sin and cos may err by
// 2^-11 absolute on [-pi, pi]; SwiftShader's err by 5e-5). sin and cos get an absolute 1e-7 besides, for
// results near their zeros (x near k pi), where float32 rounding of the reduced argument is absolute.
const TRIG_EDGES = [0, 1e-20, -1e-20, 3.1415927, -1.5707964, 100, -1000, 8000, Infinity, -Infinity, NaN];
const UNARY: UnaryCase[] = [
  { name: 'sin', ref: Math.sin, prep: span(-10, 10), edges: TRIG_EDGES, tol: { rtol: 2e-6, atol: 1e-7 } },
  { name: 'cos', ref: Math.cos, prep: span(-10, 10), edges: TRIG_EDGES, tol: { rtol: 2e-6, atol: 1e-7 } },
  // tan as sin / cos: their errors add, and near the poles (+-1.4 is close) tan is steep.
  { name: 'tan', ref: Math.tan, prep: span(-1.4, 1.4), edges: TRIG_EDGES, tol: { rtol: 4e-6, atol: 1e-7 } },
  {
    name: 'asin',
    ref: Math.asin,
    prep: span(-1, 1),
    edges: [0, 1, -1, 1 - 2 ** -24, -(1 - 2 ** -24), 1e-20, 1.5, -1.5, Infinity, NaN],
    tol: { rtol: 2e-6, atol: 0 },
  },
  {
    name: 'acos',
    ref: Math.acos,
    prep: span(-1, 1),
    edges: [0, 1, -1, 1 - 2 ** -24, -(1 - 2 ** -24), 1e-20, 1.5, -1.5, -Infinity, NaN],
    tol: { rtol: 2e-6, atol: 0 },
  },
  {
    name: 'atan',
    ref: Math.atan,
    prep: span(-20, 20),
    edges: [0, 1e-20, -1e-20, 1, -1, 0.41421356, 2.4142137, 1e30, -1e30, Infinity, -Infinity, NaN],
    tol: { rtol: 2e-6, atol: 0 },
  },
  {
    name: 'sinh',
    ref: Math.sinh,
    prep: span(-5, 5),
    edges: [0, 1e-20, -1e-20, 1e-4, 0.999, 1, 1.001, 20, 89, -89, 90, -90, Infinity, -Infinity, NaN],
    tol: { rtol: 2e-6, atol: 0 },
  },
  {
    name: 'cosh',
    ref: Math.cosh,
    prep: span(-5, 5),
    edges: [0, 1e-20, 1e-4, 1, 20, 89, -89, 90, -90, Infinity, -Infinity, NaN],
    tol: { rtol: 2e-6, atol: 0 },
  },
  {
    name: 'floor',
    ref: Math.floor,
    prep: span(-10, 10),
    edges: [0, 0.5, -0.5, 1, -1, 0.99999994, -0.99999994, 8388607.5, 1e20, -1e20, Infinity, -Infinity, NaN],
    tol: { rtol: 0, atol: 0 },
  },
  {
    name: 'ceil',
    ref: Math.ceil,
    prep: span(-10, 10),
    edges: [0, 0.5, -0.5, 1, -1, 0.99999994, -0.99999994, 8388607.5, 1e20, -1e20, Infinity, -Infinity, NaN],
    tol: { rtol: 0, atol: 0 },
  },
  {
    name: 'round',
    ref: (x) => (Number.isFinite(x) ? rint(x) : x),
    prep: span(-10, 10),
    edges: [
      0.5,
      1.5,
      2.5,
      -0.5,
      -1.5,
      -2.5,
      0.49999997,
      -0.49999997,
      3.5000002,
      8388607.5,
      -8388607.5,
      8388609,
      1e20,
      Infinity,
      -Infinity,
      NaN,
    ],
    tol: { rtol: 0, atol: 0 },
  },
  {
    name: 'sign',
    ref: Math.sign,
    prep: span(-2, 2),
    edges: [0, 1e-30, -1e-30, 5, -5, Infinity, -Infinity, NaN],
    tol: { rtol: 0, atol: 0 },
  },
  {
    name: 'log1p',
    ref: Math.log1p,
    prep: span(-0.99, 10),
    edges: [
      0,
      1e-30,
      -1e-30,
      1e-10,
      -1e-10,
      1e-5,
      -1e-5,
      0.3,
      -0.3,
      -0.5,
      0.999,
      -0.999,
      1e30,
      -1,
      -2,
      Infinity,
      NaN,
    ],
    tol: { rtol: 2e-6, atol: 0 },
  },
  {
    name: 'expm1',
    ref: Math.expm1,
    prep: span(-3, 3),
    edges: [
      0,
      1e-30,
      -1e-30,
      1e-10,
      -1e-7,
      0.49,
      0.5,
      -0.5,
      1,
      20,
      88,
      89,
      -20,
      -100,
      Infinity,
      -Infinity,
      NaN,
    ],
    tol: { rtol: 2e-6, atol: 0 },
  },
  {
    name: 'erf',
    ref: erfRef,
    prep: span(-4, 4),
    edges: [0, 1e-30, -1e-30, 1e-5, 0.5, 0.999, 1, 1.001, -1, 2, -3, 3.9, 6, -10, Infinity, -Infinity, NaN],
    // Relative 2e-6 (a few ulps); absolute 1e-7 covers the float32 rounding of 1 - erfc near 1.
    tol: { rtol: 2e-6, atol: 1e-7 },
  },
  {
    name: 'reciprocal',
    ref: (x) => 1 / x,
    prep: span(-10, 10),
    edges: [0, -0, 1e-30, -1e30, 3, Infinity, -Infinity, NaN],
    tol: { rtol: 2e-6, atol: 0 },
  },
  {
    name: 'rsqrt',
    ref: (x) => 1 / Math.sqrt(x),
    prep: span(0, 10),
    edges: [0, 1e-30, 1e30, 4, -1, Infinity, -Infinity, NaN],
    tol: { rtol: 2e-6, atol: 0 },
  },
];

/** Inputs of n elements: the op's edge values first, then random values in its range (float32). */
function inputs(c: UnaryCase, n: number, seed: number): Float32Array {
  const x = c.prep(randomData(n, seed));
  c.edges.slice(0, n).forEach((v, i) => (x[i] = v));
  return x;
}

/** The reference rounded to float32, as a float32 result must be (so overflow to Inf is expected). */
const f32ref =
  (f: (...v: number[]) => number) =>
  (...v: number[]) =>
    Math.fround(f(...v));

const call = (t: Tensor, name: string, ...args: unknown[]): Tensor =>
  (t as unknown as Record<string, (...a: unknown[]) => Tensor>)[name](...args);

/** A fixed weighting of the output, so that every element's gradient path counts. */
function weighted(y: Tensor, seed: number): Tensor {
  return y.mul(y.ctx.tensor(randomData(y.size, seed), y.shape)).sum();
}

eachBackend('elementwise, issue 9', (use) => {
  for (const c of UNARY) {
    it(`${c.name} matches float64 on sizes ${SIZES.join(', ')} with edge values`, async () => {
      const gb = use();
      for (const [k, n] of SIZES.entries()) {
        const x = inputs(c, n, 31 + k);
        const y = call(gb.tensor(x, shapeOf(n)), c.name);
        expect(y.shape).toEqual(shapeOf(n));
        expectClose(await y.data(), Array.from(x, f32ref(c.ref)), c.tol, `${c.name} on ${n} elements`);
      }
    });
  }

  it('round is half to even and sign keeps 0; floor, ceil, round, sign have zero gradient', async () => {
    const gb = use();
    const x = gb.tensor([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0, 2.6]);
    expect(Array.from(await x.round().data())).toEqual([-2, -2, 0, 0, 2, 2, 0, 3]);
    expect(Array.from(await x.sign().data())).toEqual([-1, -1, -1, 1, 1, 1, 0, 1]);
    for (const name of ['floor', 'ceil', 'round', 'sign']) {
      const [dx] = gb.grad((t: Tensor) => call(t, name).mul(t).sum())(x);
      // d(step(x) x)/dx = step(x): only the product rule's second term survives.
      expectClose(await dx.data(), await call(x, name).data(), { rtol: 0, atol: 0 }, `${name} gradient`);
    }
  });

  const ATAN2_PAIRS: [number[], number[]][] = [
    [[257], [257]],
    [[3, 129], [129]],
    [
      [3, 129],
      [3, 1],
    ],
    [[1], [65]],
  ];
  it('atan2 broadcasts like NumPy and matches Math.atan2, with a number operand too', async () => {
    const gb = use();
    for (const [k, [sa, sb]] of ATAN2_PAIRS.entries()) {
      const a = randomData(
        sa.reduce((p, q) => p * q, 1),
        51 + k,
        3,
      );
      const b = randomData(
        sb.reduce((p, q) => p * q, 1),
        61 + k,
        3,
      );
      const want = mapBroadcast(
        [
          { data: a, shape: sa },
          { data: b, shape: sb },
        ],
        f32ref(Math.atan2),
      );
      const y = gb.tensor(a, sa).atan2(gb.tensor(b, sb));
      expect(y.shape).toEqual(want.shape);
      expectClose(await y.data(), want.data, { rtol: 2e-6, atol: 0 }, `atan2 ${sa} ${sb}`);
    }
    const a = randomData(65, 3, 5);
    const y = await gb.tensor(a).atan2(-2).data();
    expectClose(
      y,
      Array.from(a, (v) => Math.fround(Math.atan2(v, -2))),
      { rtol: 2e-6, atol: 0 },
      'atan2 number',
    );
  });

  it('atan2 at zeros, infinities and NaN as in C (the sign of zero included)', async () => {
    const gb = use();
    const I = Infinity;
    const pairs: [number, number][] = [
      [0, 0],
      [-0, 0],
      [0, -0],
      [-0, -0],
      [0, -1],
      [-0, -1],
      [0, 1],
      [1, 0],
      [-1, 0],
      [-1, -0],
      [I, I],
      [I, -I],
      [-I, I],
      [-I, -I],
      [1, I],
      [-1, I],
      [1, -I],
      [-1, -I],
      [I, 1],
      [-I, -1],
      [NaN, 1],
      [1, NaN],
      [1e-30, 1e30],
      [1e30, 1e-30],
      [1, -1e-30],
    ];
    const y = await gb
      .tensor(pairs.map((p) => p[0]))
      .atan2(gb.tensor(pairs.map((p) => p[1])))
      .data();
    const want = pairs.map(([a, b]) => Math.fround(Math.atan2(a, b)));
    expectClose(y, want, { rtol: 2e-6, atol: 0 }, 'atan2 edges');
    // The signs of zero results: atan2(+-0, x >= +0) = +-0.
    expect(Object.is(y[0], 0) && Object.is(y[1], -0), `signs of zero: ${y[0]}, ${y[1]}`).toBe(true);
  });

  it('leakyRelu, elu, gelu and clip match float64', async () => {
    const gb = use();
    const sigma = (v: number) => 0.5 * v * (1 + erfRef(v / Math.SQRT2));
    const elu = (a: number) => (v: number) => (v > 0 ? v : a * Math.expm1(v));
    const cases: [string, unknown[], (v: number) => number, Tolerance][] = [
      ['leakyRelu', [], (v) => (v > 0 ? v : 0.01 * v), { rtol: 2e-6, atol: 0 }],
      ['leakyRelu', [0.2], (v) => (v > 0 ? v : 0.2 * v), { rtol: 2e-6, atol: 0 }],
      ['elu', [], elu(1), { rtol: 2e-6, atol: 0 }],
      ['elu', [0.5], elu(0.5), { rtol: 2e-6, atol: 0 }],
      // gelu = x (1 + erf(x / sqrt 2)) / 2: a few float32 roundings on top of erf's; below ~ -3 the
      // value is small and 1 + erf cancels, so the error there is absolute (~1e-7 |x|).
      ['gelu', [], sigma, { rtol: 1e-5, atol: 1e-6 }],
      ['clip', [-1, 2], (v) => Math.min(Math.max(v, -1), 2), { rtol: 0, atol: 0 }],
      ['clip', [0.5, 0.5], () => 0.5, { rtol: 0, atol: 0 }],
    ];
    for (const [k, n] of SIZES.entries()) {
      const x = randomData(n, 71 + k, 6);
      [0, -0, 100, -100, NaN].slice(0, n).forEach((v, i) => (x[i] = v));
      for (const [name, args, ref, tol] of cases) {
        const y = call(gb.tensor(x, shapeOf(n)), name, ...args);
        const want = Array.from(x, (v) => (Number.isNaN(v) ? v : Math.fround(ref(v))));
        expectClose(await y.data(), want, tol, `${name}(${args.join(', ')}) on ${n} elements`);
      }
    }
    // elu keeps large positive values finite and their gradient 1 (no Inf * 0 from the exp branch).
    const big = gb.tensor([100, 1000]);
    expect(Array.from(await big.elu().data())).toEqual([100, 1000]);
    const [dbig] = gb.grad((t: Tensor) => t.elu().sum())(big);
    expect(Array.from(await dbig.data())).toEqual([1, 1]);
  });

  it('clip validates its bounds', () => {
    const gb = use();
    const x = gb.tensor([1, 2, 3]);
    expect(() => x.clip(2, 1)).toThrow(GradboxError);
    expect(() => x.clip(2, 1)).toThrow('clip: min must be <= max, got min=2, max=1');
    expect(() => x.clip(NaN, 1)).toThrow('clip: min must be a number');
    expect(() => x.clip(0, '1' as never)).toThrow('clip: max must be a number');
    expect(() => x.leakyRelu('a' as never)).toThrow('leakyRelu: alpha must be a number');
  });

  it('stopGradient passes the value and blocks the gradient', async () => {
    const gb = use();
    const x = gb.tensor([1, -2, 3]);
    const s = x.stopGradient();
    expect(Array.from(await s.data())).toEqual([1, -2, 3]);
    // f = x * stop(x): the gradient is stop(x) = x, not 2x.
    const [dx] = gb.grad((t: Tensor) => t.mul(t.stopGradient()).sum())(x);
    expect(Array.from(await dx.data())).toEqual([1, -2, 3]);
    const [dz] = gb.grad((t: Tensor) => t.stopGradient().sum())(x);
    expect(Array.from(await dz.data())).toEqual([0, 0, 0]);
  });

  // Gradients: analytic (the rules) against float64 central differences, away from kinks and poles.
  const GRAD_CASES: [string, (t: Tensor, u: Tensor) => Tensor, (d: Float32Array) => Float32Array][] = [
    ['sin, cos, tan', (t) => t.sin().add(t.cos()).add(t.tan()), span(-1.2, 1.2)],
    ['asin, acos', (t) => t.asin().add(t.acos().mul(2)), span(-0.9, 0.9)],
    ['atan', (t) => t.atan(), span(-5, 5)],
    ['sinh, cosh', (t) => t.sinh().add(t.cosh()), span(-3, 3)],
    ['log1p', (t) => t.log1p(), span(-0.9, 5)],
    ['expm1', (t) => t.expm1(), span(-3, 3)],
    ['erf', (t) => t.erf(), span(-3, 3)],
    ['reciprocal', (t) => t.reciprocal(), (d) => d.map((v) => (v >= 0 ? v + 0.5 : v - 0.5))],
    ['rsqrt', (t) => t.rsqrt(), span(0.2, 4)],
    ['atan2 (tensor, tensor)', (t, u) => t.atan2(u), span(-2, 2)],
    ['atan2 (number x)', (t) => t.atan2(-0.7), span(-2, 2)],
    ['leakyRelu', (t) => t.leakyRelu(0.1), (d) => d.map((v) => (v >= 0 ? v + 0.1 : v - 0.1))],
    ['elu', (t) => t.elu(0.7), (d) => d.map((v) => (v >= 0 ? v + 0.1 : v - 0.1))],
    ['gelu', (t) => t.gelu(), span(-4, 4)],
    // Kept 0.05 away from the bounds: clip's gradient jumps there.
    [
      'clip',
      (t) => t.clip(-0.5, 0.5),
      (d) => d.map((v) => (Math.abs(Math.abs(v) - 0.5) < 0.05 ? v + 0.1 : v)),
    ],
  ];
  for (const [name, f, prep] of GRAD_CASES) {
    it(`checkGrad: ${name}`, async () => {
      const gb = use();
      const a = gb.tensor(prep(randomData(12, 5)), [3, 4]);
      const b = gb.tensor(span(0.3, 2)(randomData(4, 6)), [4]); // atan2's x: away from the origin
      const res = await gb.checkGrad((t, u) => weighted(f(t, u), 9), [a, b]);
      expect(res.maxRelError, JSON.stringify(res.inputs)).toBeLessThan(1e-3);
    });
  }

  it('kink conventions: leakyRelu and elu have derivative alpha at 0, clip 1 at its bounds', async () => {
    const gb = use();
    const x = gb.tensor([0, -1, 1]);
    const grad = async (f: (t: Tensor) => Tensor) =>
      Array.from(
        await gb
          .grad((t: Tensor) => f(t).sum())(x)[0]
          .data(),
      );
    expect(await grad((t) => t.leakyRelu(0.25))).toEqual([0.25, 0.25, 1]);
    expect((await grad((t) => t.elu(0.5)))[0]).toBeCloseTo(0.5, 6);
    expect(await grad((t) => t.clip(-1, 1))).toEqual([1, 1, 1]);
    expect(await grad((t) => t.clip(-0.5, 0.5))).toEqual([1, 0, 0]);
  });
});
