// The maximum-likelihood demo (built, in dist-demos) driven in headless Chromium with WebGPU (SwiftShader
// here) and without it: the closed-form MLE of Galton's heights and of the horse-kick counts equals a float64
// computation in the test from the same shipped files, the log-likelihood and its gradient at the estimate
// match their formulas, stepped gradient ascent reaches the MLE, a click and the arrow keys move the start,
// stats.fitMLE agrees, bad input gets a message and a default, and screenshots land in test-results/.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import {
  canvasColours,
  demoState,
  openDemo,
  type State,
  thumbnail,
  until,
  describeDemo,
} from './helpers/demo_page';

const heights = (
  JSON.parse(readFileSync('demos/likelihood/data/heights.json', 'utf8')) as { values: number[] }
).values;
const kicks = (
  JSON.parse(readFileSync('demos/likelihood/data/horsekicks.json', 'utf8')) as { values: number[] }
).values;

/** n observations spread evenly through the file, as the demo says it takes them: index floor((i + 1/2) N / n). */
const spread = (all: number[], n: number) =>
  Array.from({ length: n }, (_, i) => all[Math.floor(((i + 0.5) * all.length) / n)]);

const mean = (x: number[]) => x.reduce((a, v) => a + v, 0) / x.length;
/** The normal's MLE in float64: the mean and the square root of the mean squared deviation (divisor N). */
function normalMle(x: number[]): { mu: number; sigma: number } {
  const mu = mean(x);
  return { mu, sigma: Math.sqrt(x.reduce((a, v) => a + (v - mu) ** 2, 0) / x.length) };
}
/** The normal log-likelihood and its gradient in (mu, sigma), from their formulas. */
function normalLogLik(x: number[], mu: number, sigma: number) {
  const ss = x.reduce((a, v) => a + (v - mu) ** 2, 0);
  const s1 = x.reduce((a, v) => a + (v - mu), 0);
  const n = x.length;
  return {
    ll: -n * Math.log(sigma) - (n / 2) * Math.log(2 * Math.PI) - ss / (2 * sigma ** 2),
    gradMu: s1 / sigma ** 2,
    gradSigma: -n / sigma + ss / sigma ** 3,
  };
}
const logFactorial = (k: number) => {
  let s = 0;
  for (let i = 2; i <= k; i++) s += Math.log(i);
  return s;
};
/** The Poisson log-likelihood and its derivative in the rate. */
function poissonLogLik(x: number[], rate: number) {
  const sum = x.reduce((a, v) => a + v, 0);
  return {
    ll: sum * Math.log(rate) - x.length * rate - x.reduce((a, v) => a + logFactorial(v), 0),
    gradRate: sum / rate - x.length,
  };
}

const step = (page: Page, n: number) => page.evaluate((k) => window.demo!.control.step(k), n);
const set = (page: Page, key: string, value: string | number) =>
  page.evaluate(([k, v]) => window.demo!.control.set(k, v), [key, value] as const);

/**
 * Relative agreement of float32 log-likelihoods of a few thousand (in magnitude) with float64: sums of
 * ~1000 float32 terms carry ~1e-6 relative error.
 */
const LL_RTOL = 2e-5;

describeDemo('likelihood demo', (env) => {
  const { mode, webgpu } = env;
  let page: Page;
  const errors: string[] = [];
  beforeAll(async () => {
    page = await openDemo(env.browser, `${env.base}/demos/likelihood/index.html`, errors);
  });

  it('Galton heights: the closed-form MLE, the log-likelihood and its gradient match float64', async () => {
    const s = await demoState(page);
    expect(s.backend).toBe(mode);
    expect(s.model).toBe('normal');
    expect(s.n).toBe(928);
    const ref = normalMle(heights);
    // float32 mean of 928 values near 68: ~1e-5 absolute; the std from deviations about it: ~1e-6.
    expect(Math.abs(Number(s.mleMu) - ref.mu)).toBeLessThan(1e-4);
    expect(Math.abs(Number(s.mleSigma) - ref.sigma)).toBeLessThan(1e-4);
    const atMle = normalLogLik(heights, ref.mu, ref.sigma);
    expect(Math.abs(Number(s.logLikMLE) / atMle.ll - 1)).toBeLessThan(LL_RTOL);
    // At the start (64, 4): the value and the gradient from valueAndGrad.
    expect(s.start).toEqual([64, 4]);
    expect(s.steps).toBe(0);
    const at = normalLogLik(heights, 64, 4);
    expect(Math.abs(Number(s.logLik) / at.ll - 1)).toBeLessThan(LL_RTOL);
    expect(Math.abs(Number(s.gradMu) / at.gradMu - 1)).toBeLessThan(1e-4);
    expect(Math.abs(Number(s.gradSigma) / at.gradSigma - 1)).toBeLessThan(1e-4);
    expect(await canvasColours(page, '#surface')).toBeGreaterThan(50);
    expect(await canvasColours(page, '#zoom')).toBeGreaterThan(50);
    expect(await canvasColours(page, '#data')).toBeGreaterThan(5);
  });

  it('stepped gradient ascent climbs every step and reaches the MLE; screenshots', async () => {
    await step(page, 1);
    let s = await demoState(page);
    expect(s.steps).toBe(1);
    // One step of gradient ascent on the mean log-likelihood in (mu, log sigma), lr 0.5, from (64, 4).
    const lr = 0.5;
    const g0 = normalLogLik(heights, 64, 4);
    const n = heights.length;
    const mu1 = 64 + (lr * g0.gradMu) / n;
    const sigma1 = Math.exp(Math.log(4) + (lr * 4 * g0.gradSigma) / n); // d/dlog sigma = sigma d/dsigma
    const [p1mu, p1sigma] = (s.path as number[][])[1];
    expect(p1mu).toBeCloseTo(mu1, 4);
    expect(p1sigma).toBeCloseTo(sigma1, 4);
    const tensors = s.tensors;
    await step(page, 149);
    s = await demoState(page);
    expect(s.steps).toBe(150);
    expect(s.tensors).toBe(tensors); // no tensor left behind by the steps
    const lls = (s.pathLogLik as number[]).slice(0, -1);
    // Each step climbs, up to the float32 rounding of a sum of 928 log-densities.
    lls
      .slice(1)
      .forEach((ll, i) => expect(ll, `step ${i + 1}`).toBeGreaterThan(lls[i] - LL_RTOL * Math.abs(lls[i])));
    const ref = normalMle(heights);
    await until(
      page,
      (st) => Math.abs(Number(st.mu) - ref.mu) < 2e-3 && Math.abs(Number(st.sigma) - ref.sigma) < 2e-3,
      'the ascent reaches the MLE',
      5_000,
    ).catch(async () => {
      await step(page, 100);
      return until(
        page,
        (st) => Math.abs(Number(st.mu) - ref.mu) < 2e-3 && Math.abs(Number(st.sigma) - ref.sigma) < 2e-3,
        'the ascent reaches the MLE',
        5_000,
      );
    });
    s = await demoState(page);
    expect(Math.abs(Number(s.logLik) - Number(s.logLikMLE))).toBeLessThan(1e-2);
    if (webgpu) {
      // A switch to the CPU carries the path on; a step there continues from the same estimate.
      await page.evaluate(() => window.demo!.control.setBackend('cpu'));
      let c = await demoState(page);
      expect(c.backend).toBe('wasm'); // 'cpu' asks for the fastest CPU backend
      expect(c.path).toEqual(s.path);
      await step(page, 1);
      c = await demoState(page);
      expect(c.steps).toBe(Number(s.steps) + 1);
      expect(Math.abs(Number(c.mu) - Number(s.mu))).toBeLessThan(1e-3);
      await page.evaluate(() => window.demo!.control.setBackend('webgpu'));
      expect((await demoState(page)).backend).toBe('webgpu');
    }
    expect(await page.textContent('#formula')).toMatch(/95%\s+region/);
    await page.screenshot({ path: `test-results/demo-likelihood-${mode}.png`, fullPage: true });
    await thumbnail(page, '#surface', `test-results/thumb-likelihood-${mode}.jpg`);
  });

  it('a click and the arrow keys move the start; fewer observations widen the region', async () => {
    await page.locator('#surface').scrollIntoViewIfNeeded();
    const box = (await page.locator('#surface').boundingBox())!;
    // The plot area starts 52 px in from the left and 12 px down; click at mu = 70, sigma = 6.
    const pos = await page.$eval('#surface', (c) => [
      (c as HTMLCanvasElement).width,
      (c as HTMLCanvasElement).height,
    ]);
    const scale = box.width / pos[0];
    const ax = (mu: number) => 52 + ((mu - 58) / 20) * (pos[0] - 64);
    const ay = (sigma: number) => pos[1] - 38 - ((sigma - 0.5) / 7.5) * (pos[1] - 50);
    await page.mouse.click(box.x + ax(70) * scale, box.y + ay(6) * scale);
    let s = await until(
      page,
      (st) => st.steps === 0 && Math.abs(((st.start as number[] | undefined)?.[0] ?? 0) - 70) < 0.1,
      'click',
    );
    expect(Math.abs((s.start as number[])[1] - 6)).toBeLessThan(0.1);
    const at = normalLogLik(heights, ...(s.start as [number, number]));
    expect(Math.abs(Number(s.logLik) / at.ll - 1)).toBeLessThan(LL_RTOL);
    await page.focus('#surface');
    await page.keyboard.press('ArrowDown');
    const sigma0 = (s.start as number[])[1];
    s = await until(
      page,
      (st) => Math.abs(((st.start as number[] | undefined)?.[1] ?? 0) - (sigma0 - 0.15)) < 1e-3,
      'ArrowDown',
    );
    const inUrl = new URL(page.url()).searchParams.get('start')!.split(',').map(Number);
    expect(inUrl).toEqual(s.start);
    await set(page, 'n', 50);
    s = await until(page, (st) => st.n === 50, 'n = 50');
    const ref = normalMle(spread(heights, 50));
    expect(Math.abs(Number(s.mleMu) - ref.mu)).toBeLessThan(1e-4);
    expect(Math.abs(Number(s.mleSigma) - ref.sigma)).toBeLessThan(1e-4);
    // The region (and the zoom, +- 5 standard errors) widens as 1/sqrt(n): sigma/sqrt(n), sigma/sqrt(2n).
    const [seMu, seSigma] = s.standardErrors as number[];
    expect(seMu).toBeCloseTo(ref.sigma / Math.sqrt(50), 4);
    expect(seSigma).toBeCloseTo(ref.sigma / Math.sqrt(100), 4);
    await set(page, 'n', 928);
    expect(errors).toEqual([]);
  });

  it('horse kicks: the Poisson rate by ascent and by stats.fitMLE reaches the mean count', async () => {
    await set(page, 'model', 'poisson');
    let s = await until(page, (st) => st.model === 'poisson', 'the Poisson model');
    expect(s.n).toBe(200);
    expect(Number(s.mleRate)).toBeCloseTo(0.61, 5);
    const atMle = poissonLogLik(kicks, 0.61);
    expect(Math.abs(Number(s.logLikMLE) / atMle.ll - 1)).toBeLessThan(LL_RTOL);
    const at = poissonLogLik(kicks, 2);
    expect(Math.abs(Number(s.logLik) / at.ll - 1)).toBeLessThan(LL_RTOL);
    expect(Math.abs(Number(s.gradRate) / at.gradRate - 1)).toBeLessThan(1e-4);
    await step(page, 60);
    s = await demoState(page);
    expect(Math.abs(Number(s.rate) - 0.61)).toBeLessThan(1e-3);
    await page.evaluate(() => window.demo!.control.act('fitMLE'));
    s = await demoState(page);
    const fit = s.fitMLE as { rate: number; logLik: number };
    expect(Math.abs(fit.rate - 0.61)).toBeLessThan(1e-3);
    expect(Math.abs(fit.logLik / atMle.ll - 1)).toBeLessThan(LL_RTOL);
    expect(await canvasColours(page, '#surface')).toBeGreaterThan(5);
    await page.screenshot({ path: `test-results/demo-likelihood-poisson-${mode}.png`, fullPage: true });
    expect(await page.locator('.notice.error').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('bad input gets a message and the default', async () => {
    const errs: string[] = [];
    const bad = await openDemo(env.browser, `${env.base}/demos/likelihood/index.html?start=abc&lr=-1`, errs);
    const text = await bad.textContent('#notice');
    expect(text).toMatch(
      /start mu,sigma \(or click\): "abc" is not "mu,sigma" with 58 <= mu <= 78.*; using 64,4/,
    );
    expect(text).toMatch(/learning rate: -1 is below the minimum 0.001; using 0.5/);
    const s: State = await demoState(bad);
    expect(s.start).toEqual([64, 4]);
    expect(errs).toEqual([]);
    await bad.close();
  });
});
