// The distributions demo (built, in dist-demos) driven in headless Chromium with WebGPU (SwiftShader here)
// and without it: Normal(2, 3), Exponential, Gamma (quantiles by bisection) and Poisson against float64
// formulas computed here (moments, densities, bin probabilities by Simpson's rule, quantiles), sample moments
// and quantiles within a few standard errors, the histogram settling as the sample grows, a family picked by
// keyboard, and bad parameters answered with a message and the defaults. Screenshots land in test-results/.
import { expect, it } from 'vitest';
import {
  canvasColours,
  demoState,
  openDemo,
  setParam as set,
  type State,
  thumbnail,
  until,
  describeDemo,
} from './helpers/demo_page';

interface Histogram {
  bins: number;
  range: [number, number];
  counted: number;
  below: number;
  above: number;
  counts: number[];
  probabilities: number[];
  distance: number;
}
type QQ = { probs: number[]; exact: number[]; sample: number[]; of: number };
type Curve = { x: number[]; density: number[]; cdf: number[] };

/**
 * Simpson's rule with m panels (64 by default: over one histogram bin, float64 and far below float32 error
 * for the smooth densities used here).
 */
function integrate(f: (x: number) => number, a: number, b: number, m = 64): number {
  const h = (b - a) / m;
  let s = f(a) + f(b);
  for (let i = 1; i < m; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

const normalPdf = (mu: number, sd: number) => (x: number) =>
  Math.exp(-0.5 * ((x - mu) / sd) ** 2) / (sd * Math.sqrt(2 * Math.PI));

/**
 * The checks every family shares: the histogram accounts for every sample and its bin probabilities are the
 * density's integrals; sample moments and quantiles lie within a few standard errors of the exact ones.
 * `pdf` is the float64 density, `mu4` the fourth central moment (for the standard error of s^2).
 */
function checkSampling(s: State, mean: number, variance: number, mu4: number, pdf: (x: number) => number) {
  const N = Number(s.samples);
  const h = s.histogram as Histogram;
  expect(h.counted + h.below + h.above).toBe(N);
  expect(h.counts.reduce((a, c) => a + c, 0)).toBe(h.counted);
  // The sample mean's standard error is sd / sqrt(N), the sample variance's sqrt((mu4 - var^2) / N); the
  // seeds are fixed, so 4 standard errors only guard against a wrong mean or variance, not against chance.
  expect(Math.abs(Number(s.sampleMean) - mean)).toBeLessThan(4 * Math.sqrt(variance / N));
  expect(Math.abs(Number(s.sampleVariance) - variance)).toBeLessThan(
    4 * Math.sqrt((mu4 - variance ** 2) / N),
  );
  // The quantile of p from n samples has standard error sqrt(p (1 - p) / n) / f(q).
  const qq = s.qq as QQ;
  qq.probs.forEach((p, i) => {
    const se = Math.sqrt((p * (1 - p)) / qq.of) / pdf(qq.exact[i]);
    expect(Math.abs(qq.sample[i] - qq.exact[i]), `quantile ${p}`).toBeLessThan(5 * se);
  });
}

/** Bin probabilities of a continuous family against Simpson's rule on its float64 density. */
function checkBins(h: Histogram, pdf: (x: number) => number) {
  const w = (h.range[1] - h.range[0]) / h.bins;
  h.probabilities.forEach((p, i) => {
    const a = h.range[0] + i * w;
    // float32 cdf differences: absolute error ~1e-7 per cdf value.
    expect(p, `bin ${i}`).toBeCloseTo(integrate(pdf, a, a + w), 5);
  });
}

describeDemo('distributions demo', (env) => {
  const { mode } = env;

  it('Normal(2, 3): moments, density, bins and quantiles against float64; the histogram settles; screenshot', async () => {
    const errors: string[] = [];
    const page = await openDemo(env.browser, `${env.base}/demos/distributions/index.html`, errors);
    await page.evaluate(() => window.demo!.control.pause());
    await set(page, 'mean', 2);
    await set(page, 'std', 3);
    let s = await demoState(page);
    expect(s.backend).toBe(mode);
    expect(s.family).toBe('Normal');
    expect(s.distParams).toEqual({ mean: 2, std: 3 });
    // The library's moments, float32.
    expect(Number(s.mean)).toBe(2);
    expect(Number(s.variance)).toBeCloseTo(9, 5);
    expect(Number(s.std)).toBeCloseTo(3, 6);
    expect(Number(s.entropy)).toBeCloseTo(0.5 * Math.log(2 * Math.PI * Math.E * 9), 5);
    const pdf = normalPdf(2, 3);
    const curve = s.curve as Curve;
    curve.x.forEach((x, i) => expect(curve.density[i]).toBeCloseTo(pdf(x), 6));
    // The cdf from 13 standard deviations below (where it is below 1e-38), 4000 panels (h = 0.01).
    curve.x.forEach((x, i) => expect(curve.cdf[i]).toBeCloseTo(integrate(pdf, 2 - 39, x, 4000), 5));
    checkBins(s.histogram as Histogram, pdf);
    checkSampling(s, 2, 9, 3 * 81, pdf);
    expect(s.quantileMethod).toBe('icdf');
    // 100,000 samples in 60 bins: the expected L1 distance is about 0.02.
    expect(Number(s.histogramDistance)).toBeLessThan(0.05);
    const first = s.run as { drawSeed: number; tensors: number };
    await page.evaluate(() => window.demo!.control.step(3));
    s = await demoState(page);
    // Fresh samples each step (a new seed), and nothing left behind.
    expect((s.run as { drawSeed: number }).drawSeed).toBe(first.drawSeed + 3);
    expect((s.run as { tensors: number }).tensors).toBe(first.tensors);
    checkSampling(s, 2, 9, 3 * 81, pdf);
    for (const id of ['#density', '#cdf', '#qq'])
      expect(await canvasColours(page, id), id).toBeGreaterThan(5);
    expect(await page.textContent('#formula')).toMatch(/Var/);
    await page.screenshot({ path: `test-results/demo-distributions-${mode}.png`, fullPage: true });
    await thumbnail(page, '#density', `test-results/thumb-distributions-${mode}.jpg`);

    // More samples, closer to the density: L1 falls like 1 / sqrt(N) (by ~30 from 10^3 to 10^6).
    await set(page, 'samples', '1000');
    const small = Number((await demoState(page)).histogramDistance);
    await set(page, 'samples', '1000000');
    s = await demoState(page);
    expect(Number(s.samples)).toBe(1e6);
    expect(Number(s.histogramDistance)).toBeLessThan(small / 5);
    checkSampling(s, 2, 9, 3 * 81, pdf);
    expect(await page.locator('.notice.error').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('Exponential and Gamma (quantiles by bisection), Poisson; a family picked by keyboard; bad parameters', async () => {
    const errors: string[] = [];
    const page = await openDemo(
      env.browser,
      `${env.base}/demos/distributions/index.html?samples=10000`,
      errors,
    );
    await page.evaluate(() => window.demo!.control.pause());
    // The family select works from the keyboard: Normal -> Uniform.
    await page
      .locator('.lil-controller', { has: page.locator('.lil-name', { hasText: /^family$/ }) })
      .locator('select')
      .focus();
    await page.keyboard.press('ArrowDown');
    let s = await until(page, (st) => st.family === 'Uniform', 'ArrowDown picks the next family');
    expect(Number(s.mean)).toBeCloseTo(0.5, 6);
    expect(Number(s.variance)).toBeCloseTo(1 / 12, 6);

    // Exponential(0.5): mean 2, variance 4, quantiles -log(1 - p) / rate.
    await set(page, 'family', 'Exponential');
    await set(page, 'rate', 0.5);
    s = await demoState(page);
    expect(Number(s.mean)).toBeCloseTo(2, 5);
    expect(Number(s.variance)).toBeCloseTo(4, 5);
    expect(s.quantileMethod).toBe('icdf');
    const qe = s.qq as QQ;
    qe.probs.forEach((p, i) => expect(qe.exact[i]).toBeCloseTo(-Math.log(1 - p) / 0.5, 4));
    const expPdf = (x: number) => (x < 0 ? 0 : 0.5 * Math.exp(-0.5 * x));
    checkBins(s.histogram as Histogram, expPdf);
    checkSampling(s, 2, 4, 9 * 16, expPdf); // mu4 = 9 / rate^4

    // Gamma(3, 2): no icdf in gradbox, so bisection on the cdf; F(q) = 1 - e^(-2q) (1 + 2q + 2 q^2).
    await set(page, 'family', 'Gamma');
    await set(page, 'concentration', 3);
    await set(page, 'rate', 2);
    s = await demoState(page);
    expect(s.quantileMethod).toBe('bisection on cdf');
    expect(Number(s.mean)).toBeCloseTo(1.5, 5);
    expect(Number(s.variance)).toBeCloseTo(0.75, 5);
    const gammaCdf = (q: number) => 1 - Math.exp(-2 * q) * (1 + 2 * q + 2 * q * q);
    const gammaPdf = (x: number) => (x < 0 ? 0 : 4 * x * x * Math.exp(-2 * x));
    const qg = s.qq as QQ;
    // float32 cdf near p: the quantile's cdf is p to ~1e-6.
    qg.probs.forEach((p, i) => expect(gammaCdf(qg.exact[i]), `p ${p}`).toBeCloseTo(p, 5));
    checkBins(s.histogram as Histogram, gammaPdf);
    // mu4 of Gamma(k, r) = 3 k (k + 2) / r^4.
    checkSampling(s, 1.5, 0.75, (3 * 3 * 5) / 16, gammaPdf);

    // Poisson(3.5): mass at the integers, bins centred on them, integer quantiles.
    await set(page, 'family', 'Poisson');
    await set(page, 'poissonRate', 3.5);
    s = await demoState(page);
    expect(Number(s.mean)).toBeCloseTo(3.5, 5);
    expect(Number(s.variance)).toBeCloseTo(3.5, 5);
    const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
    const pmf = (k: number) => (k < 0 || !Number.isInteger(k) ? 0 : (3.5 ** k * Math.exp(-3.5)) / fact(k));
    const curve = s.curve as Curve;
    curve.x.forEach((k, i) => expect(curve.density[i], `k ${k}`).toBeCloseTo(pmf(k), 6));
    const h = s.histogram as Histogram;
    expect(h.range[0]).toBe(-0.5);
    h.probabilities.forEach((p, i) => expect(p, `k ${i}`).toBeCloseTo(pmf(i), 6));
    const N = Number(s.samples);
    // Each count is Binomial(N, p_k): within 5 standard errors.
    h.counts.forEach((c, k) =>
      expect(Math.abs(c / N - pmf(k)), `k ${k}`).toBeLessThan(
        5 * Math.sqrt((pmf(k) * (1 - pmf(k))) / N) + 1e-9,
      ),
    );
    const cdf = (k: number) => Array.from({ length: k + 1 }, (_, j) => pmf(j)).reduce((a, b) => a + b, 0);
    curve.x.forEach((k, i) => expect(curve.cdf[i], `k ${k}`).toBeCloseTo(cdf(k), 6));
    const qp = s.qq as QQ;
    qp.probs.forEach((p, i) => {
      const k = qp.exact[i];
      expect(Number.isInteger(k)).toBe(true);
      expect(cdf(k)).toBeGreaterThanOrEqual(p - 1e-6);
      if (k > 0) expect(cdf(k - 1)).toBeLessThan(p + 1e-6);
    });
    // mu4 of Poisson = rate (1 + 3 rate); quantiles of a discrete law are not checked by density.
    expect(Math.abs(Number(s.sampleMean) - 3.5)).toBeLessThan(4 * Math.sqrt(3.5 / N));
    expect(Math.abs(Number(s.sampleVariance) - 3.5)).toBeLessThan(
      4 * Math.sqrt((3.5 * (1 + 10.5) - 3.5 ** 2) / N),
    );

    // Bad input: a typed std below the slider's range, a std the library rejects, an empty interval.
    await set(page, 'family', 'Normal');
    await set(page, 'std', -1);
    expect(await page.textContent('#notice')).toContain('std: -1 is below the minimum 0; using 1');
    expect(((await demoState(page)).params as Record<string, unknown>).std).toBe(1);
    await set(page, 'std', 0);
    expect(await page.textContent('#notice')).toContain(
      'dist.Normal: std must be > 0, got 0; using mean = 0, std = 1',
    );
    s = await demoState(page);
    expect(s.distParams).toEqual({ mean: 0, std: 1 });
    expect(Number(s.variance)).toBe(1);
    await set(page, 'family', 'Uniform');
    await set(page, 'low', 3);
    expect(await page.textContent('#notice')).toContain(
      'dist.Uniform: high must be > low, got low 3 and high 1; using low = 0, high = 1',
    );
    expect((await demoState(page)).distParams).toEqual({ low: 0, high: 1 });
    expect(await page.locator('.notice.error').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
