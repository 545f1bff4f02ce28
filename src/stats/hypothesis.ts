// Classical two-sided tests: one-sample, two-sample (Welch or pooled) and paired t-tests, Pearson's
// chi-square goodness of fit, and the one-sample Kolmogorov-Smirnov test, with SciPy's meaning. The sums
// and the sort run on the device and come back in one readback; the statistic is finished in float64 and
// the p-value comes from the float64 special functions (src/special).
import { describe, fmtShape, GradboxError } from '../errors';
import { chiSquareSf, ksTwoSidedSf, studentTSf } from '../special/scalar';
import type { Tensor } from '../tensor';
import { checkSample, checkTensor, readScalars, sameContext } from './common';

/** What every test returns, as plain numbers. */
export interface TestResult {
  /** The test statistic: t, chi-square, or the Kolmogorov-Smirnov distance D. */
  statistic: number;
  /** The two-sided p-value. */
  pValue: number;
  /** Degrees of freedom of the statistic's null distribution (for ksTest: the sample size n). */
  df: number;
}

/** A distribution to test against: anything with a cdf of tensors (a `dist` object), or the cdf itself. */
export type CdfLike = { cdf(x: Tensor): Tensor } | ((x: Tensor) => Tensor);

/**
 * Device scalars from which the host finishes a sample's mean and variance accurately: the float32 mean m,
 * then S1 = sum(x - m) and S2 = sum((x - m)^2). Shifting by m keeps the sums small, so the mean
 * m + S1 / n and the variance (S2 - S1^2 / n) / (n - 1), formed in float64, lose no digits to cancellation.
 */
function shiftedSums(x: Tensor): Tensor[] {
  const m = x.mean();
  const d = x.sub(m);
  return [m, d.sum(), d.square().sum()];
}

interface Moments {
  n: number;
  mean: number;
  variance: number;
}

function moments(n: number, [m, s1, s2]: number[]): Moments {
  return { n, mean: m + s1 / n, variance: Math.max(0, s2 - (s1 * s1) / n) / (n - 1) };
}

function twoSided(t: number, df: number): number {
  return Number.isNaN(t) ? NaN : Math.min(1, 2 * studentTSf(Math.abs(t), df));
}

function oneSample(s: Moments, mu: number): TestResult {
  const t = (s.mean - mu) / Math.sqrt(s.variance / s.n);
  const df = s.n - 1;
  return { statistic: t, pValue: twoSided(t, df), df };
}

/**
 * One-sample t-test of the mean of x (1-D, n >= 2) against `mu`: t = (mean - mu) / (s / sqrt(n)) with
 * n - 1 degrees of freedom (SciPy's `ttest_1samp`).
 */
export async function ttest1(x: Tensor, mu = 0): Promise<TestResult> {
  const op = 'stats.ttest1';
  const t = checkSample(op, 'x', x, 2);
  if (typeof mu !== 'number' || !Number.isFinite(mu)) {
    throw new GradboxError(
      `${op}: mu must be a finite number (the mean under the null hypothesis), got ${describe(mu)}`,
    );
  }
  return oneSample(moments(t.size, await readScalars(t.ctx, () => shiftedSums(t))), mu);
}

/** Options of {@link ttest2}. */
export interface TTest2Options {
  /** Assume equal variances (Student's pooled test); default false: Welch's test. */
  equalVar?: boolean;
}

/**
 * Two-sample t-test of equal means of x and y (1-D, each n >= 2): Welch's test by default (unequal
 * variances, Welch-Satterthwaite degrees of freedom), Student's pooled test with `{ equalVar: true }`
 * (SciPy's `ttest_ind`).
 */
export async function ttest2(x: Tensor, y: Tensor, options: TTest2Options = {}): Promise<TestResult> {
  const op = 'stats.ttest2';
  const a = checkSample(op, 'x', x, 2);
  const b = checkSample(op, 'y', y, 2);
  sameContext(op, a, b);
  const equalVar = options.equalVar ?? false;
  if (typeof equalVar !== 'boolean') {
    throw new GradboxError(`${op}: equalVar must be true or false, got ${describe(equalVar)}`);
  }
  const sums = await readScalars(a.ctx, () => [...shiftedSums(a), ...shiftedSums(b)]);
  const p = moments(a.size, sums.slice(0, 3));
  const q = moments(b.size, sums.slice(3));
  let se2: number;
  let df: number;
  if (equalVar) {
    df = p.n + q.n - 2;
    const pooled = ((p.n - 1) * p.variance + (q.n - 1) * q.variance) / df;
    se2 = pooled * (1 / p.n + 1 / q.n);
  } else {
    const u = p.variance / p.n;
    const v = q.variance / q.n;
    se2 = u + v;
    df = (se2 * se2) / ((u * u) / (p.n - 1) + (v * v) / (q.n - 1));
  }
  const t = (p.mean - q.mean) / Math.sqrt(se2);
  return { statistic: t, pValue: twoSided(t, df), df };
}

/**
 * Paired t-test: the one-sample t-test of the differences x - y (1-D, the same length n >= 2) against 0
 * (SciPy's `ttest_rel`).
 */
export async function ttestPaired(x: Tensor, y: Tensor): Promise<TestResult> {
  const op = 'stats.ttestPaired';
  const a = checkSample(op, 'x', x, 2);
  const b = checkSample(op, 'y', y, 2);
  sameContext(op, a, b);
  if (a.size !== b.size) {
    throw new GradboxError(
      `${op}: x and y must pair up, one y per x: got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
    );
  }
  return oneSample(moments(a.size, await readScalars(a.ctx, () => shiftedSums(a.sub(b)))), 0);
}

/** The relative disagreement of the two totals that chiSquareTest tolerates (float32 sums; SciPy: 1e-8). */
const TOTALS_RTOL = 1e-4;

/**
 * Pearson's chi-square goodness-of-fit test: sum of (observed - expected)^2 / expected over k categories
 * (1-D, k >= 2) with k - 1 degrees of freedom (SciPy's `chisquare`). `expected` defaults to equal counts
 * (the mean of observed); when given it must be positive and have the same total as observed (to 1e-4
 * relative). Observed counts must not be negative.
 */
export async function chiSquareTest(observed: Tensor, expected?: Tensor): Promise<TestResult> {
  const op = 'stats.chiSquareTest';
  const o = checkSample(op, 'observed', observed, 2);
  const e = expected === undefined ? null : checkTensor(op, 'expected', expected);
  if (e) {
    sameContext(op, o, e);
    if (e.shape.length !== 1 || e.size !== o.size) {
      throw new GradboxError(
        `${op}: expected must have one count per category of observed ${fmtShape(o.shape)}, got ${fmtShape(e.shape)}`,
      );
    }
  }
  const [statistic, minObserved, totalObserved, minExpected, totalExpected] = await readScalars(o.ctx, () => {
    const exp = e ?? o.mean();
    return [o.sub(exp).square().div(exp).sum(), o.min(), o.sum(), exp.min(), e ? e.sum() : o.sum()];
  });
  if (!(minObserved >= 0)) {
    throw new GradboxError(`${op}: observed counts must be non-negative numbers, found ${minObserved}`);
  }
  if (!(minExpected > 0)) {
    throw new GradboxError(`${op}: expected counts must all be positive, found ${minExpected}`);
  }
  const gap = Math.abs(totalObserved - totalExpected) / Math.min(totalObserved, totalExpected);
  if (gap > TOTALS_RTOL) {
    throw new GradboxError(
      `${op}: observed and expected must have the same total (to ${TOTALS_RTOL} relative), got ` +
        `${totalObserved} and ${totalExpected}; scale expected to the observed total (probabilities x n)`,
    );
  }
  const df = o.size - 1;
  return { statistic, pValue: chiSquareSf(statistic, df), df };
}

/**
 * One-sample Kolmogorov-Smirnov test of x (1-D, n >= 1) against a continuous distribution: D = the
 * largest distance between the empirical CDF and the distribution's `cdf`, and the exact two-sided p-value
 * P(D_n >= D) (SciPy's `kstest(x, cdf)`, method 'auto'). `distribution` is a dist object (anything with
 * `cdf(x: Tensor): Tensor`) or the cdf function itself; it is evaluated on the device at the sorted sample.
 * `df` is n, the parameter of D's null distribution.
 * @example await stats.ksTest(samples, new dist.Normal(gb, { mean: 0, std: 1 }))
 */
export async function ksTest(x: Tensor, distribution: CdfLike): Promise<TestResult> {
  const op = 'stats.ksTest';
  const t = checkSample(op, 'x', x, 1);
  const cdf =
    typeof distribution === 'function'
      ? distribution
      : distribution && typeof distribution.cdf === 'function'
        ? (v: Tensor) => distribution.cdf(v)
        : null;
  if (!cdf) {
    throw new GradboxError(
      `${op}: distribution must be a dist object with a cdf (e.g. new dist.Normal(gb, { mean: 0, std: 1 })) ` +
        `or a function from values to probabilities, got ${describe(distribution)}`,
    );
  }
  const n = t.size;
  const gb = t.ctx;
  const [statistic] = await readScalars(gb, () => {
    const f = cdf(t.sort());
    if (!f || typeof f !== 'object' || !('shape' in f) || f.shape.length !== 1 || f.shape[0] !== n) {
      const got = f && typeof f === 'object' && 'shape' in f ? fmtShape(f.shape) : describe(f);
      throw new GradboxError(
        `${op}: the cdf must map the n = ${n} sorted values to n probabilities, got ${got}`,
      );
    }
    // The empirical CDF steps from (i - 1) / n to i / n at the i-th smallest value.
    const above = gb.tensor(Float32Array.from({ length: n }, (_, i) => (i + 1) / n));
    const below = gb.tensor(Float32Array.from({ length: n }, (_, i) => i / n));
    return [above.sub(f).max().maximum(f.sub(below).max())];
  });
  return { statistic, pValue: ksTwoSidedSf(n, statistic), df: n };
}
