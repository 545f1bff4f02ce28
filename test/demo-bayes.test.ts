// The Bayes' theorem demo (built, in dist-demos) driven in headless Chromium with WebGPU (SwiftShader here)
// and without it: P(disease | positive) against Bayes' rule in float64, the natural-frequency grid's whole
// people, the simulated population within a few standard errors; the coin's posterior Beta(a + H, b + T)
// after flips by the API and by keyboard, its mean, sd, MAP, MLE and density against the formulas, the
// credible interval against a float64 Beta cdf (Simpson's rule), the same flips after a reset, a prior and a
// level changed live, and bad settings answered with a message and the default. Screenshots in test-results/.
import type { Page } from 'playwright-core';
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

/** Bayes' rule and the natural frequencies of 1000 people, in float64. */
function disease(prev: number, sens: number, spec: number) {
  const pPos = sens * prev + (1 - spec) * (1 - prev);
  const ill = Math.round(1000 * prev);
  const tp = Math.round(ill * sens);
  const fp = Math.round((1000 - ill) * (1 - spec));
  return {
    pPos,
    pDPos: (sens * prev) / pPos,
    pDNeg: ((1 - sens) * prev) / (1 - pPos),
    grid: { tp, fn: ill - tp, fp, tn: 1000 - ill - fp },
  };
}

function checkDisease(s: State, prev: number, sens: number, spec: number) {
  const d = disease(prev, sens, spec);
  // float32 products and a quotient of values near 0.01-1: ~1e-7 relative.
  expect(Number(s.pPositive)).toBeCloseTo(d.pPos, 6);
  expect(Number(s.pDiseaseGivenPositive)).toBeCloseTo(d.pDPos, 6);
  expect(Number(s.pDiseaseGivenNegative)).toBeCloseTo(d.pDNeg, 6);
  expect(s.grid).toMatchObject(d.grid);
  expect(Number(s.gridShare)).toBeCloseTo(d.grid.tp / (d.grid.tp + d.grid.fp), 6);
  // The simulation: counts within 4 standard errors of their expectations.
  const sim = s.simulated as {
    people: number;
    ill: number;
    positives: number;
    illPositives: number;
    share: number;
  };
  const N = sim.people;
  expect(Math.abs(sim.ill - N * prev)).toBeLessThan(4 * Math.sqrt(N * prev * (1 - prev)));
  expect(Math.abs(sim.positives - N * d.pPos)).toBeLessThan(4 * Math.sqrt(N * d.pPos * (1 - d.pPos)));
  expect(sim.share).toBeCloseTo(sim.illPositives / sim.positives, 6);
  expect(Math.abs(sim.share - d.pDPos)).toBeLessThan(
    4 * Math.sqrt((d.pDPos * (1 - d.pDPos)) / sim.positives),
  );
}

/**
 * The Beta(a, b) cdf at x in float64 by Simpson's rule on the density in log space (scaled by its largest
 * value so that nothing under- or overflows), 20,000 panels on each side: far below float32 error for the
 * integer a, b >= 2 used here.
 */
function betaCdf(a: number, b: number, x: number): number {
  const mode = (a - 1) / (a + b - 2);
  const top = (a - 1) * Math.log(mode) + (b - 1) * Math.log1p(-mode);
  const f = (t: number) =>
    t <= 0 || t >= 1 ? 0 : Math.exp((a - 1) * Math.log(t) + (b - 1) * Math.log1p(-t) - top);
  const simpson = (lo: number, hi: number) => {
    const m = 20_000;
    const h = (hi - lo) / m;
    let s = f(lo) + f(hi);
    for (let i = 1; i < m; i++) s += (i % 2 ? 4 : 2) * f(lo + i * h);
    return (s * h) / 3;
  };
  const below = simpson(0, x);
  return below / (below + simpson(x, 1));
}

/** log B(a, b) for whole a, b: log((a - 1)! (b - 1)! / (a + b - 1)!). */
function logBeta(a: number, b: number): number {
  const logFact = (k: number) =>
    Array.from({ length: k }, (_, i) => Math.log(i + 1)).reduce((x, y) => x + y, 0);
  return logFact(a - 1) + logFact(b - 1) - logFact(a + b - 1);
}

type Path = { flips: number[]; heads: number[]; mean: number[]; lo: number[]; hi: number[] };
type Curves = { x: number[]; prior: number[]; posterior: number[]; likelihood: number[] };

/** The posterior after the demo's flips against conjugacy and the Beta's formulas. */
function checkPosterior(s: State, prior: [number, number]) {
  const [n, H] = [Number(s.flips), Number(s.heads)];
  const [a, b] = [prior[0] + H, prior[1] + n - H];
  expect(Number(s.tails)).toBe(n - H);
  expect(Number(s.posteriorAlpha)).toBe(a);
  expect(Number(s.posteriorBeta)).toBe(b);
  expect(Number(s.posteriorMean)).toBeCloseTo(a / (a + b), 6);
  expect(Number(s.posteriorSd)).toBeCloseTo(Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1))), 6);
  expect(Number(s.map)).toBeCloseTo((a - 1) / (a + b - 2), 6);
  if (n > 0) expect(Number(s.mle)).toBeCloseTo(H / n, 6);
  else expect(s.mle).toBeNaN(); // no flips, no maximum-likelihood estimate
  // The central interval: F(lo) = (1 - level) / 2, F(hi) = (1 + level) / 2. Bisection on the float32
  // cdf lands within ~1e-6 of those levels; 1e-4 allows for float32 incomplete beta at a + b ~ 10^3.
  const level = Number(s.level);
  const [lo, hi] = s.interval as [number, number];
  expect(betaCdf(a, b, lo)).toBeCloseTo((1 - level) / 2, 4);
  expect(betaCdf(a, b, hi)).toBeCloseTo((1 + level) / 2, 4);
  expect(s.intervalMethod).toBe('bisection on dist.Beta.cdf');
  // The path: after each flip j, H_j heads, mean (prior a + H_j) / (a + b + j).
  const path = s.path as Path;
  expect(path.flips).toEqual(Array.from({ length: n + 1 }, (_, j) => j));
  path.heads.forEach((h, j) => {
    if (j > 0) expect([0, 1]).toContain(h - path.heads[j - 1]);
    expect(path.mean[j]).toBeCloseTo((prior[0] + h) / (prior[0] + prior[1] + j), 6);
  });
  expect(path.heads[n]).toBe(H);
  expect([path.lo[n], path.hi[n]]).toEqual([lo, hi]);
  // The posterior density on the grid: x^(a-1) (1-x)^(b-1) / B(a, b). In float32, log B(a, b) is a difference
  // of lgamma values near (a + b) log(a + b) (about 7000 after a thousand flips), each rounded to 2^-24 of
  // that: the density's relative error grows with it (about 2e-3 at a + b ~ 10^3, 2e-4 at ~ 10).
  const c = s.curves as Curves;
  const lb = logBeta(a, b);
  const tolerance = 2e-4 + 4 * 2 ** -24 * (a + b) * Math.log(a + b);
  c.x.forEach((x, i) => {
    const exact = Math.exp((a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - lb);
    expect(Math.abs(c.posterior[i] - exact), `x ${x}`).toBeLessThan(tolerance * Math.max(1, exact));
  });
}

const flipsOf = (page: Page) => demoState(page).then((s) => Number(s.flips));

describeDemo('Bayes demo', (env) => {
  const { mode } = env;

  it('the disease test: Bayes rule, natural frequencies, a simulated population; live changes; bad settings', async () => {
    const errors: string[] = [];
    const page = await openDemo(env.browser, `${env.base}/demos/bayes/index.html`, errors);
    let s = await demoState(page);
    expect(s.backend).toBe(mode);
    expect(s.playing).toBe(false);
    checkDisease(s, 0.01, 0.9, 0.91);
    expect(await page.textContent('#natural')).toContain('So of the 98 who test positive, 9 are ill');
    // Live: the disease numbers change, the coin keeps its flips.
    await page.evaluate(() => window.demo!.control.step(5));
    await set(page, 'prevalence', 0.2);
    await set(page, 'sensitivity', 0.95);
    await set(page, 'specificity', 0.8);
    s = await demoState(page);
    checkDisease(s, 0.2, 0.95, 0.8);
    expect(Number(s.flips)).toBe(5);
    expect(await canvasColours(page, '#people')).toBeGreaterThan(4);
    // Bad settings: a message and the default.
    await set(page, 'prevalence', 1.5);
    expect(await page.textContent('#notice')).toContain(
      'prevalence P(D): 1.5 is above the maximum 1; using 0.01',
    );
    expect(Number((await demoState(page)).prevalence)).toBe(0.01);
    await set(page, 'priorAlpha', 0);
    expect(await page.textContent('#notice')).toContain(
      'dist.Beta: alpha must be > 0, got 0; using the prior Beta(2, 2)',
    );
    s = await demoState(page);
    expect([s.priorAlpha, s.priorBeta]).toEqual([2, 2]);
    checkPosterior(s, [2, 2]);
    expect(await page.locator('.notice.error').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the coin: flips by API and keyboard, the posterior against the formulas, the same flips after a reset; screenshot', async () => {
    const errors: string[] = [];
    const page = await openDemo(env.browser, `${env.base}/demos/bayes/index.html`, errors);
    // No flips: the posterior is the prior Beta(2, 2).
    let s = await demoState(page);
    expect(Number(s.flips)).toBe(0);
    checkPosterior(s, [2, 2]);
    const tensors = (s.run as { tensors: number }).tensors;
    // Three single flips, then ten by keyboard.
    for (let i = 0; i < 3; i++) await page.evaluate(() => window.demo!.control.step(1));
    await page.focus('#flip-10');
    await page.keyboard.press('Enter');
    s = await until(page, (st) => Number(st.flips) === 13, 'Enter on "flip 10 times" flips ten more');
    checkPosterior(s, [2, 2]);
    expect(Number(s.loss)).toBeCloseTo(Number(s.posteriorSd), 6);
    expect((s.run as { tensors: number }).tensors).toBe(tensors);
    const heads13 = (s.path as Path).heads;
    for (const id of ['#people', '#posterior', '#path'])
      expect(await canvasColours(page, id), id).toBeGreaterThan(4);
    await page.screenshot({ path: `test-results/demo-bayes-${mode}.png`, fullPage: true });
    await thumbnail(page, '#posterior', `test-results/thumb-bayes-${mode}.jpg`);
    // The seed fixes one sequence: forgetting the flips and taking 13 at once gives the same heads.
    await page.click('#forget');
    await until(page, (st) => Number(st.flips) === 0, 'forget the flips');
    await page.evaluate(() => window.demo!.control.step(13));
    expect((await demoState(page)).path).toMatchObject({ heads: heads13 });

    // A thousand more: the posterior concentrates near the true bias 0.7 (4 standard errors).
    await page.click('#flip-1000');
    await until(page, (st) => Number(st.flips) === 1013, 'flip 1000 times');
    s = await demoState(page);
    checkPosterior(s, [2, 2]);
    expect(Math.abs(Number(s.posteriorMean) - 0.7)).toBeLessThan(4 * Math.sqrt(0.21 / 1013));
    // The prior and the level change live: the same flips, a new posterior.
    await set(page, 'priorAlpha', 10);
    await set(page, 'level', 0.5);
    s = await demoState(page);
    expect(await flipsOf(page)).toBe(1013);
    checkPosterior(s, [10, 2]);
    expect(await page.locator('.notice.error').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
