// stats' hypothesis tests on both backends against SciPy 1.17 (test/fixtures/stats.json, written by
// scripts/fixtures/stats.py): ttest1, ttest2 (Welch and pooled), ttestPaired, chiSquareTest and ksTest,
// statistic to 1e-5 relative and p-value to 1e-4 absolute (the bar), on odd sample sizes; bad input.
import { expect, it } from 'vitest';
import { dist, stats, type Tensor } from '../src/index';
import fixture from './fixtures/stats.json';
import { eachBackend, held } from './helpers/backends';

const nums = (a: readonly (number | string)[]): number[] => a.map(Number);

/**
 * The bar. The statistics are finished in float64 from float32 device sums shifted by the mean
 * (relative error ~1e-7 / |t| and below 1e-6 on these cases); D is a float32 difference of cdf values.
 */
function expectScipy(
  got: { statistic: number; pValue: number; df: number },
  want: { statistic: number | string; pValue: number | string; df?: number | string },
  what: string,
): void {
  const s = Number(want.statistic);
  expect(Math.abs(got.statistic - s), `${what}: statistic ${got.statistic} vs ${s}`).toBeLessThanOrEqual(
    1e-5 * Math.abs(s),
  );
  expect(
    Math.abs(got.pValue - Number(want.pValue)),
    `${what}: p ${got.pValue} vs ${want.pValue}`,
  ).toBeLessThanOrEqual(1e-4);
  // Welch's df is a ratio of the variances: as accurate as the statistic.
  if (want.df !== undefined) {
    const df = Number(want.df);
    expect(Math.abs(got.df - df), `${what}: df ${got.df} vs ${df}`).toBeLessThanOrEqual(1e-5 * df);
  }
}

eachBackend('stats hypothesis tests', (use) => {
  it('ttest1, ttest2 (Welch and pooled), ttestPaired match SciPy', async () => {
    const gb = use();
    const before = held(gb);
    for (const c of fixture.ttest1) {
      const x = gb.tensor(nums(c.x));
      expectScipy(await stats.ttest1(x, c.mu), c, `ttest1 n=${c.x.length}`);
      x.dispose();
    }
    for (const c of fixture.ttest2) {
      const [x, y] = [gb.tensor(nums(c.x)), gb.tensor(nums(c.y))];
      const what = `ttest2 n=${c.x.length},${c.y.length} equalVar=${c.equalVar}`;
      expectScipy(await stats.ttest2(x, y, { equalVar: c.equalVar }), c, what);
      x.dispose();
      y.dispose();
    }
    for (const c of fixture.ttest_paired) {
      const [x, y] = [gb.tensor(nums(c.x)), gb.tensor(nums(c.y))];
      expectScipy(await stats.ttestPaired(x, y), c, `ttestPaired n=${c.x.length}`);
      x.dispose();
      y.dispose();
    }
    expect(held(gb)).toEqual(before);
  });

  it('chiSquareTest matches SciPy, with and without expected counts', async () => {
    const gb = use();
    for (const c of fixture.chisquare) {
      const o = gb.tensor(nums(c.observed));
      const e = c.expected ? gb.tensor(nums(c.expected)) : undefined;
      expectScipy(await stats.chiSquareTest(o, e), c, `chisquare k=${c.observed.length}`);
    }
  });

  it('ksTest matches SciPy (exact p-values), with a cdf function or an object with a cdf', async () => {
    const gb = use();
    const normalCdf = (mu: number, sigma: number) => (x: Tensor) =>
      x
        .sub(mu)
        .div(sigma * Math.SQRT2)
        .erf()
        .add(1)
        .mul(0.5);
    const exponCdf = (x: Tensor) => x.maximum(0).neg().expm1().neg();
    for (const c of fixture.ks) {
      const x = gb.tensor(nums(c.x));
      const [a, b] = c.args;
      const cdf = c.distribution === 'norm' ? normalCdf(a, b) : exponCdf;
      const r = await stats.ksTest(x, c.distribution === 'norm' ? { cdf } : cdf);
      expectScipy(r, c, `ksTest ${c.distribution} n=${c.x.length}`);
      expect(r.df).toBe(c.x.length);
      // The same test against the dist family itself (its cdf is erfc-based: as accurate as the erf above).
      if (c.distribution === 'norm') {
        const d = new dist.Normal(gb, { mean: a, std: b });
        expectScipy(await stats.ksTest(x, d), c, `ksTest dist.Normal n=${c.x.length}`);
      } else {
        expectScipy(
          await stats.ksTest(x, new dist.Exponential(gb, { rate: 1 })),
          c,
          `ksTest dist.Exponential`,
        );
      }
    }
  });

  it('bad input: shapes, too few observations, negative or mismatched counts, a bad cdf', async () => {
    const gb = use();
    const x = gb.tensor([1, 2, 3]);
    await expect(stats.ttest1(gb.tensor([1]), 0)).rejects.toThrow(
      /stats.ttest1: x needs at least 2 observations, got 1/,
    );
    await expect(stats.ttest1(gb.zeros([2, 2]))).rejects.toThrow(/x must be a 1-D sample.*got shape \(2,2\)/);
    await expect(stats.ttest1(x, Number.NaN)).rejects.toThrow(/mu must be a finite number/);
    await expect(stats.ttest2(x, gb.tensor([1]))).rejects.toThrow(/y needs at least 2 observations/);
    await expect(stats.ttest2(x, x, { equalVar: 'yes' as never })).rejects.toThrow(
      /equalVar must be true or false/,
    );
    await expect(stats.ttestPaired(x, gb.tensor([1, 2]))).rejects.toThrow(/must pair up.*\(3\) and \(2\)/);
    await expect(stats.chiSquareTest(gb.tensor([5]))).rejects.toThrow(
      /observed needs at least 2 observations/,
    );
    await expect(stats.chiSquareTest(x, gb.tensor([1, 2]))).rejects.toThrow(/one count per category/);
    await expect(stats.chiSquareTest(x, gb.tensor([3, 4, -1]))).rejects.toThrow(
      /expected counts must all be positive, found -1/,
    );
    await expect(stats.chiSquareTest(gb.tensor([3, -1, 4]))).rejects.toThrow(
      /observed counts must be non-negative/,
    );
    await expect(stats.chiSquareTest(x, gb.tensor([1, 1, 1]))).rejects.toThrow(/same total.*got 6 and 3/);
    await expect(stats.ksTest(x, {} as never)).rejects.toThrow(
      /distribution must be a dist object with a cdf/,
    );
    await expect(stats.ksTest(x, (v) => v.sum())).rejects.toThrow(
      /the cdf must map the n = 3 sorted values to n probabilities, got \(\)/,
    );
    const before = held(gb);
    await expect(stats.ksTest(x, (v) => v.sum())).rejects.toThrow(/stats.ksTest/);
    expect(held(gb)).toEqual(before); // a failing build frees what it made
  });
});
