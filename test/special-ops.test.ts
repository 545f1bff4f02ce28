// The special functions as tensor ops (lgamma, digamma, trigamma, erfc, erfinv, erfcinv, gammaP, gammaQ,
// betaI) on both backends against the float64 functions of src/special/scalar.ts, which test/special.test.ts
// checks against SciPy and 40-digit values. Sizes around the 256-wide workgroups, broadcasting, edge values,
// gradients by checkGrad, and the errors for gradients that are not implemented.
import { expect, it } from 'vitest';
import { GradboxError, special, type Tensor } from '../src/index';
import * as scalar from '../src/special/scalar';
import { eachBackend, held } from './helpers/backends';
import { expectClose, lcg, type Tolerance } from './helpers/close';

type Op = 'lgamma' | 'digamma' | 'trigamma' | 'erfc' | 'erfinv' | 'erfcinv' | 'gammaP' | 'gammaQ' | 'betaI';

interface Case {
  arity: 1 | 2 | 3;
  /** One random argument tuple, inside the function's domain and across its regimes. */
  draw: (r: () => number) => number[];
  /**
   * float32 tolerance against float64 of the same float32 inputs. The CPU computes in float64 and rounds
   * once (~6e-8 relative). On WebGPU: lgamma and digamma sum a handful of float32 terms of size up to
   * x log x, so ~10 ulps of the largest term (rtol 1e-5 with atol 1e-6 where lgamma and digamma cross 0,
   * including lgamma's negative roots); erfc's exp(p - x^2) carries x^2's rounding (x^2 * 6e-8, 5e-6 at
   * x = 9); P, Q and I carry their prefactor's exponent error (|exponent| * 6e-8, up to ~3e-6) plus up to
   * a few hundred float32 series or continued-fraction steps, and Q = 1 - P (or I's complement) turns P's
   * absolute error into Q's: rtol 1e-4, atol 2e-6.
   */
  tol: Tolerance;
}

const spread = (r: () => number) => (r() < 0.3 ? -6 + 12 * r() : Math.exp(12 * r() - 6));
const CASES: Record<Op, Case> = {
  lgamma: { arity: 1, draw: (r) => [spread(r)], tol: { rtol: 1e-5, atol: 1e-6 } },
  digamma: { arity: 1, draw: (r) => [spread(r)], tol: { rtol: 1e-5, atol: 1e-6 } },
  trigamma: { arity: 1, draw: (r) => [spread(r)], tol: { rtol: 1e-5, atol: 1e-6 } },
  erfc: { arity: 1, draw: (r) => [12 * r() - 3], tol: { rtol: 1e-5, atol: 1e-7 } },
  erfinv: { arity: 1, draw: (r) => [2 * r() - 1], tol: { rtol: 2e-6, atol: 1e-7 } },
  erfcinv: {
    arity: 1,
    draw: (r) => [r() < 0.2 ? Math.exp(-80 * r()) : 2 * r()],
    tol: { rtol: 2e-6, atol: 1e-7 },
  },
  gammaP: { arity: 2, draw: gammaArgs, tol: { rtol: 1e-4, atol: 2e-6 } },
  gammaQ: { arity: 2, draw: gammaArgs, tol: { rtol: 1e-4, atol: 2e-6 } },
  betaI: {
    arity: 3,
    draw: (r) => [Math.exp(10 * r() - 4), Math.exp(10 * r() - 4), r()],
    tol: { rtol: 1e-4, atol: 2e-6 },
  },
};

/** a from 0.007 to 8e3 and x within a factor e of it (both tails and the bulk). */
function gammaArgs(r: () => number): number[] {
  const a = Math.exp(14 * r() - 5);
  return [a, a * Math.exp(2 * r() - 1)];
}

const SIZES = [1, 63, 257, 3 * 129];

/** Columns of float32 arguments and the float64 reference at those exact float32 values. */
function columns(op: Op, n: number, seed: number) {
  const { arity, draw } = CASES[op];
  const r = lcg(seed);
  const cols = Array.from({ length: arity }, () => new Float32Array(n));
  for (let i = 0; i < n; i++) draw(r).forEach((v, k) => (cols[k][i] = v));
  const fn = scalar[op] as (...args: number[]) => number;
  const expected = Float64Array.from({ length: n }, (_, i) => fn(...cols.map((c) => c[i])));
  return { cols, expected };
}

const opFn = (op: Op) => special[op] as (...args: (Tensor | number)[]) => Tensor;

eachBackend('special ops', (use) => {
  for (const op of Object.keys(CASES) as Op[]) {
    it(`${op} matches float64 on sizes ${SIZES.join(', ')}`, async () => {
      const gb = use();
      const before = held(gb);
      for (const n of SIZES) {
        const { cols, expected } = columns(op, n, 11 + n);
        const shape = n === 3 * 129 ? [3, 129] : [n];
        const got = gb.tidy(() => opFn(op)(...cols.map((c) => gb.tensor(c, shape))));
        expectClose(await got.data(), expected, CASES[op].tol, `${op} n=${n}`);
        got.dispose();
      }
      expect(held(gb)).toEqual(before);
    });
  }

  it('broadcasts numbers and tensors of different shapes', async () => {
    const gb = use();
    const a = [0.5, 3, 40];
    const x = [0.1, 1, 2.5, 10, 60];
    const ta = gb.tensor(a, [3, 1]);
    const tx = gb.tensor(x, [1, 5]);
    const exp = (f: (i: number, j: number) => number) =>
      Float64Array.from({ length: 15 }, (_, k) => f(Math.floor(k / 5), k % 5));
    expectClose(
      await special.gammaP(ta, tx).data(),
      exp((i, j) => scalar.gammaP(a[i], x[j])),
      CASES.gammaP.tol,
      'gammaP (3,1) x (1,5)',
    );
    expectClose(
      await special.gammaQ(2.5, tx).data(),
      Float64Array.from(x, (v) => scalar.gammaQ(2.5, v)),
      CASES.gammaQ.tol,
      'gammaQ number a',
    );
    const u = [0.05, 0.3, 0.5, 0.9, 0.999];
    expectClose(
      await special.betaI(ta, 2, gb.tensor(u, [1, 5])).data(),
      exp((i, j) => scalar.betaI(a[i], 2, u[j])),
      CASES.betaI.tol,
      'betaI (3,1), number, (1,5)',
    );
    ta.dispose();
    tx.dispose();
  });

  it('edge values: poles, infinities, NaN and domain ends', async () => {
    const gb = use();
    const check = async (t: Tensor, expected: number[], what: string) => {
      expectClose(await t.data(), expected, { rtol: 1e-5, atol: 1e-6 }, what);
      t.dispose();
    };
    const x = gb.tensor([0, -2, Infinity, NaN, 1, 2]);
    await check(x.lgamma(), [Infinity, Infinity, Infinity, NaN, 0, 0], 'lgamma edges');
    await check(x.digamma(), [-Infinity, NaN, Infinity, NaN, -0.5772156649, 0.4227843351], 'digamma edges');
    await check(gb.tensor([-1, 1, 0, 1.5, NaN]).erfinv(), [-Infinity, Infinity, 0, NaN, NaN], 'erfinv edges');
    await check(
      gb.tensor([0, 2, 1, -0.5, 1e-30]).erfcinv(),
      [Infinity, -Infinity, 0, NaN, scalar.erfcinv(Math.fround(1e-30))],
      'erfcinv edges',
    );
    await check(gb.tensor([-Infinity, Infinity, 0, 9]).erfc(), [2, 0, 1, scalar.erfc(9)], 'erfc edges');
    await check(special.gammaP(2, gb.tensor([0, Infinity, -1])), [0, 1, NaN], 'gammaP edges');
    await check(special.betaI(2, 3, gb.tensor([0, 1, 1.5])), [0, 1, NaN], 'betaI edges');
    x.dispose();
  });

  it('gradients: lgamma, digamma, erfc, erfinv, erfcinv, and P, Q, I in x (checkGrad)', async () => {
    const gb = use();
    const pos = gb.tensor([0.3, 1.7, 4.2, 12.5]);
    const unit = gb.tensor([-0.8, -0.1, 0.35, 0.9]);
    const half = gb.tensor([0.05, 0.4, 1.3, 1.9]);
    const a = gb.tensor([0.7, 2, 3.5, 9]);
    const checks: [string, (x: Tensor) => Tensor, Tensor][] = [
      ['lgamma', (x) => x.lgamma().sum(), pos],
      ['digamma', (x) => x.digamma().sum(), pos],
      ['erfc', (x) => x.erfc().sum(), unit],
      ['erfinv', (x) => x.erfinv().sum(), unit],
      ['erfcinv', (x) => x.erfcinv().sum(), half],
      ['gammaP', (x) => special.gammaP(a, x).sum(), pos],
      ['gammaQ', (x) => special.gammaQ(2.5, x).sum(), pos],
      ['betaI', (x) => special.betaI(a, 2.5, x.sigmoid()).sum(), unit],
    ];
    for (const [name, f, x] of checks) {
      const r = await gb.checkGrad(f, [x]);
      expect(r.ok, `${name}: ${JSON.stringify(r.inputs[0])}`).toBe(true);
    }
    // Second derivative of lgamma (through digamma's rule, trigamma).
    const r2 = await gb.checkGrad((x) => x.lgamma().sum(), [pos], { order: 2 });
    expect(r2.ok, JSON.stringify(r2.inputs[0])).toBe(true);
    for (const t of [pos, unit, half, a]) t.dispose();
  });

  it('gradients that are not implemented say so', () => {
    const gb = use();
    const a = gb.tensor([1.5, 2]);
    const x = gb.tensor([0.5, 1]);
    expect(() => gb.grad((s: Tensor) => special.gammaP(s, x).sum())(a)).toThrow(
      /gammaP: the gradient with respect to a is not implemented/,
    );
    expect(() => gb.grad((s: Tensor) => special.betaI(1, s, x.mul(0.5)).sum())(a)).toThrow(
      /betaI: the gradient with respect to b is not implemented/,
    );
    expect(() => gb.grad((s: Tensor) => s.trigamma().sum())(a)).toThrow(GradboxError);
    expect(() => special.gammaP(1, 2 as never)).toThrow(/needs at least one Tensor/);
    a.dispose();
    x.dispose();
  });
});
