// The law-of-large-numbers and central-limit demo (built, in dist-demos) driven in headless Chromium with
// WebGPU (SwiftShader here) and without it: the library's mu and sigma against float64 (for the bimodal
// mixture by the law of total variance), the mean and standard deviation of the sample means within a few
// standard errors and 5% of sigma / sqrt(n), the means losing their skew and nearing the normal as n grows,
// lattice-aligned bins for a discrete source, the running mean converging, a source picked by keyboard, and
// bad settings answered with a message and the default. Screenshots land in test-results/.
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
  binWidth: number;
  range: [number, number];
  counts: number[];
  counted: number;
  below: number;
  above: number;
  normalProbabilities: number[];
}
type Running = { length: number; k: number[]; mean: number[]; last: number };

/**
 * What holds for any source: mu and sigma as given (float64), the means' average within 4 standard errors
 * (sigma / sqrt(n E)) and their standard deviation within 5% of sigma / sqrt(n) (its own standard error is
 * about 1 / sqrt(2E) = 0.7% at E = 10^4), every experiment counted once, the running mean near mu.
 */
function checkMeans(s: State, mu: number, sigma: number) {
  const [n, E] = [Number(s.n), Number(s.experiments)];
  expect(Number(s.mu)).toBeCloseTo(mu, 5);
  expect(Number(s.sigma)).toBeCloseTo(sigma, 5);
  expect(Number(s.expectedSd)).toBeCloseTo(sigma / Math.sqrt(n), 5);
  expect(Math.abs(Number(s.meanOfMeans) - mu)).toBeLessThan((4 * sigma) / Math.sqrt(n * E));
  expect(Math.abs(Number(s.sdOfMeans) / (sigma / Math.sqrt(n)) - 1)).toBeLessThan(0.05);
  const h = s.histogram as Histogram;
  expect(h.counted + h.below + h.above).toBe(E);
  expect(h.counts.reduce((a, c) => a + c, 0)).toBe(h.counted);
  const r = s.running as Running;
  expect(r.k[r.k.length - 1]).toBe(r.length);
  expect(r.last).toBe(r.mean[r.mean.length - 1]);
  expect(Math.abs(r.last - mu)).toBeLessThan((4 * sigma) / Math.sqrt(r.length));
}

describeDemo('central-limit demo', (env) => {
  const { mode } = env;

  it('Exponential(1): the means narrow like 1/sqrt(n) and lose their skew; the running mean converges; screenshot', async () => {
    const errors: string[] = [];
    const page = await openDemo(env.browser, `${env.base}/demos/clt/index.html`, errors);
    // Paused, and one step that waits for the frame in flight: nothing runs while the state is read.
    await page.evaluate(async () => {
      window.demo!.control.pause();
      await window.demo!.control.step(1);
    });
    let s = await demoState(page);
    expect(s.backend).toBe(mode);
    expect(s.source).toBe('Exponential(1)');
    checkMeans(s, 1, 1);
    for (const id of ['#means', '#source', '#running'])
      expect(await canvasColours(page, id), id).toBeGreaterThan(5);
    await page.screenshot({ path: `test-results/demo-clt-${mode}.png`, fullPage: true });
    // Fresh experiments each step, nothing left behind.
    const run = s.run as { stepSeed: number; tensors: number };
    await page.evaluate(() => window.demo!.control.step(2));
    s = await demoState(page);
    expect((s.run as { stepSeed: number }).stepSeed).toBe(run.stepSeed + 2);
    expect((s.run as { tensors: number }).tensors).toBe(run.tensors);
    checkMeans(s, 1, 1);

    // n = 1: the means are the exponential itself, skewness 2, far from the normal ...
    await set(page, 'n', 1);
    const one = await demoState(page);
    checkMeans(one, 1, 1);
    expect(Number(one.skewOfMeans)).toBeGreaterThan(1.5);
    // ... n = 100: skewness 2 / sqrt(100) = 0.2, a histogram close to N(1, 0.1^2).
    await set(page, 'n', 100);
    const hundred = await demoState(page);
    checkMeans(hundred, 1, 1);
    expect(Number(hundred.skewOfMeans)).toBeLessThan(0.5);
    expect(Number(hundred.normalDistance)).toBeLessThan(Number(one.normalDistance) / 3);
    // The normal's bin probabilities cover mu +- 4.5 sd: all but 7e-6 of it.
    const h = hundred.histogram as Histogram;
    expect(h.normalProbabilities.reduce((a, p) => a + p, 0)).toBeCloseTo(1, 4);
    expect(await page.textContent('#formula')).toMatch(/skewness/);
    expect(await page.locator('.notice.error').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('Bernoulli on a lattice, the bimodal mixture, a source picked by keyboard, bad settings', async () => {
    const errors: string[] = [];
    const page = await openDemo(env.browser, `${env.base}/demos/clt/index.html?n=30`, errors);
    await page.evaluate(() => window.demo!.control.pause());
    // The source select works from the keyboard: Exponential(1) -> Gamma(0.5, 1), mean 0.5, variance 0.5.
    await page
      .locator('.lil-controller', { has: page.locator('.lil-name', { hasText: /^distribution$/ }) })
      .locator('select')
      .focus();
    await page.keyboard.press('ArrowDown');
    let s = await until(page, (st) => st.source === 'Gamma(0.5, 1)', 'ArrowDown picks the next source');
    checkMeans(s, 0.5, Math.sqrt(0.5));

    // Bernoulli(0.1): the mean of 30 flips is a multiple of 1/30; bins are whole multiples, centred on them.
    await set(page, 'source', 'Bernoulli(0.1)');
    s = await demoState(page);
    checkMeans(s, 0.1, 0.3);
    const h = s.histogram as Histogram;
    const perBin = h.binWidth * 30;
    expect(perBin).toBeCloseTo(Math.round(perBin), 4);
    expect(h.range[0] * 30 + 0.5).toBeCloseTo(Math.round(h.range[0] * 30 + 0.5), 4);

    // The mixture 0.7 N(-1, 0.5^2) + 0.3 N(2.5, 0.7^2): by the law of total variance.
    // Means of two draws: three bumps (both from one mode, or one from each) under one normal.
    await set(page, 'source', 'bimodal mixture');
    await set(page, 'n', 2);
    s = await demoState(page);
    const mu = 0.7 * -1 + 0.3 * 2.5;
    const variance = 0.7 * (0.25 + 1) + 0.3 * (0.49 + 6.25) - mu * mu;
    checkMeans(s, mu, Math.sqrt(variance));
    await thumbnail(page, '#means', `test-results/thumb-clt-${mode}.jpg`);

    // Bad settings: a message and the default.
    await set(page, 'n', 0);
    expect(await page.textContent('#notice')).toContain(
      'draws per mean n: 0 is below the minimum 1; using 5',
    );
    expect(Number((await demoState(page)).n)).toBe(5);
    await set(page, 'experiments', '7');
    expect(await page.textContent('#notice')).toContain(
      'experiments per step: "7" is not one of 1000, 10000, 100000; using 10000',
    );
    expect(await page.locator('.notice.error').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
