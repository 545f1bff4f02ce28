// The hypothesis-test demo (built, in dist-demos) driven in headless Chromium with WebGPU (SwiftShader here)
// and without it: the observed t and its p-value match float64 computed in the test from the experiment's
// own data (and R's values for Student's sleep data), the simulated p-value lies within a few standard
// errors of the formula's, the simulated type I error within a few standard errors of alpha, the simulated
// power within a few standard errors of the analytic power (which the test recomputes by its own float64
// quadrature), alpha moves live, the keyboard sets the effect, bad input gets a message and a default.
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { special } from '../src/index';
import {
  canvasColours,
  demoState,
  openDemo,
  type State,
  thumbnail,
  until,
  describeDemo,
} from './helpers/demo_page';

const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
const sampleVar = (v: number[]) => {
  const m = mean(v);
  return v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1);
};
/** The one-sample t of v against 0 and the pooled two-sample t, in float64 from their definitions. */
const t1 = (v: number[]) => mean(v) / Math.sqrt(sampleVar(v) / v.length);
const t2 = (x: number[], y: number[]) =>
  (mean(x) - mean(y)) / Math.sqrt(((sampleVar(x) + sampleVar(y)) / 2) * (2 / x.length));

/**
 * The two-sided p-value 2 P(T_df > |t|) by float64 quadrature of the t density (Simpson's rule on
 * [|t|, |t| + 400] after the substitution u = atan(t')), independent of the library's incomplete beta.
 */
function pValue(t: number, df: number): number {
  const c =
    Math.exp(special.scalar.lgamma((df + 1) / 2) - special.scalar.lgamma(df / 2)) / Math.sqrt(df * Math.PI);
  const dens = (x: number) => c * (1 + (x * x) / df) ** (-(df + 1) / 2);
  // Over u in [atan |t|, pi/2): x = tan u, dx = sec^2 u du (the tail maps onto a finite interval).
  const a = Math.atan(Math.abs(t));
  const b = Math.PI / 2;
  const m = 20000;
  const h = (b - a) / m;
  let s = 0;
  for (let i = 0; i <= m; i++) {
    const u = a + i * h;
    const f = i === m ? 0 : dens(Math.tan(u)) / Math.cos(u) ** 2;
    s += f * (i === 0 || i === m ? 1 : i % 2 ? 4 : 2);
  }
  return (2 * (s * h)) / 3;
}

/** Power of the two-sided t-test by float64 quadrature over the chi variable (the noncentral t). */
function power(delta: number, df: number, c: number): number {
  const phi = (z: number) => 0.5 * special.scalar.erfc(-z / Math.SQRT2);
  const logNorm = (1 - df / 2) * Math.log(2) - special.scalar.lgamma(df / 2);
  const top = Math.sqrt(df) + 12;
  const m = 20000;
  const h = top / m;
  let s = 0;
  for (let i = 0; i < m; i++) {
    const v = (i + 0.5) * h;
    const chi = Math.exp(logNorm + (df - 1) * Math.log(v) - (v * v) / 2);
    const u = (c * v) / Math.sqrt(df);
    s += chi * (phi(delta - u) + phi(-delta - u)) * h;
  }
  return s;
}

/** The two-sided critical value at level alpha, by bisection of the test's own p-value. */
function critical(alpha: number, df: number): number {
  let [lo, hi] = [0, 1000];
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (pValue(mid, df) > alpha) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

const set = (page: Page, key: string, value: string | number) =>
  page.evaluate(([k, v]) => window.demo!.control.set(k, v), [key, value] as const);

/** |simulated - expected| within k binomial standard errors of `count` trials (plus float32 slack). */
function withinSE(sim: number, expected: number, count: number, k = 4) {
  const se = Math.sqrt((expected * (1 - expected)) / count);
  expect(
    Math.abs(sim - expected),
    `simulated ${sim} vs ${expected} (SE ${se.toExponential(2)})`,
  ).toBeLessThan(k * se + 1e-4);
}

function checkTest(s: State) {
  const obs = s.observed as { x: number[]; y: number[] };
  const t =
    s.experiment === 'two-sample'
      ? t2(obs.x, obs.y)
      : s.experiment === 'sleep data'
        ? t1(obs.x.map((v, i) => v - obs.y[i]))
        : t1(obs.x);
  // The statistic is finished in float64 from float32 sums of a few values: 1e-5 relative.
  expect(Math.abs(Number(s.tObs) / t - 1)).toBeLessThan(1e-5);
  expect(Math.abs(Number(s.pFormula) - pValue(t, Number(s.df)))).toBeLessThan(1e-5);
  withinSE(Number(s.pSim), Number(s.pFormula), Number(s.experiments));
  withinSE(Number(s.typeI), Number(s.alpha), Number(s.experiments));
  // The analytic power as the test computes it, and the simulated power within a few standard errors.
  const delta = Number(s.effect) * Math.sqrt(s.experiment === 'two-sample' ? Number(s.n) / 2 : Number(s.n));
  const ref = power(delta, Number(s.df), Number(s.tCrit));
  expect(Math.abs(Number(s.powerFormula) - ref)).toBeLessThan(2e-4);
  withinSE(Number(s.power), ref, Number(s.experiments));
  expect(Number(s.typeII)).toBeCloseTo(1 - Number(s.power), 10);
  // The critical value: P(|T| > c) = alpha by the test's own quadrature.
  expect(Math.abs(pValue(Number(s.tCrit), Number(s.df)) - Number(s.alpha))).toBeLessThan(1e-6);
}

describeDemo('hypothesis-test demo', (env) => {
  const { mode } = env;
  let page: Page;
  const errors: string[] = [];
  beforeAll(async () => {
    page = await openDemo(env.browser, `${env.base}/demos/hypothesis-tests/index.html`, errors);
  });

  it('one-sample: t and p match float64; the simulated p, type I error and power agree with the formulas', async () => {
    const s = await demoState(page);
    expect(s.backend).toBe(mode);
    expect(s).toMatchObject({ experiment: 'one-sample', n: 20, df: 19, alpha: 0.05, experiments: 100000 });
    checkTest(s);
    // The power curves: simulated points within a few standard errors of the analytic line.
    const byD = s.powerByEffect as { d: number[]; sim: number[]; line: number[]; formula: number[] };
    byD.d.forEach((d, i) => {
      const ref = power(d * Math.sqrt(20), 19, Number(s.tCrit));
      withinSE(byD.sim[i], ref, 100000);
    });
    const j = byD.line.findIndex((d) => Math.abs(d - 1) < 1e-9);
    if (j >= 0)
      expect(Math.abs(byD.formula[j] - power(Math.sqrt(20), 19, Number(s.tCrit)))).toBeLessThan(2e-4);
    const byN = s.powerByN as { n: number[]; sim: number[]; formula: number[] };
    for (const k of [2, 5, 10, 40, 100]) {
      const i = byN.n.indexOf(k);
      const ref = power(0.5 * Math.sqrt(k), k - 1, critical(0.05, k - 1));
      expect(Math.abs(byN.formula[i] - ref), `analytic power at n = ${k}`).toBeLessThan(2e-4);
      withinSE(byN.sim[i], ref, 4000);
    }
    expect(byN.formula[byN.n.indexOf(100)]).toBeGreaterThan(byN.formula[byN.n.indexOf(10)]);
    for (const id of ['#null', '#errors', '#power-effect', '#power-n']) {
      expect(await canvasColours(page, id), id).toBeGreaterThan(5);
    }
    await page.screenshot({ path: `test-results/demo-hypothesis-tests-${mode}.png`, fullPage: true });
    await thumbnail(page, '#null', `test-results/thumb-hypothesis-tests-${mode}.jpg`);
  });

  it('alpha moves live; the keyboard sets the effect; a new experiment draws new data', async () => {
    const before = await demoState(page);
    await set(page, 'alpha', 0.01);
    let s = await until(
      page,
      (st) => st.alpha === 0.01 && Number(st.tCrit) > Number(before.tCrit),
      'alpha 0.01',
    );
    expect(s.tObs).toBe(before.tObs); // the same experiments: only the decisions moved
    expect(s.tensors).toBe(before.tensors); // and nothing was left behind on the device
    checkTest(s);
    expect(Number(s.power)).toBeLessThan(Number(before.power));
    await page.focus('#power-effect');
    await page.keyboard.press('ArrowRight');
    s = await until(page, (st) => st.effect === 0.55, 'ArrowRight: effect 0.55');
    checkTest(s);
    await page.evaluate(() => window.demo!.control.act('newExperiment'));
    // The params change before the rebuild, the figures (tObs) after it.
    s = await until(
      page,
      (st) => (st.params as Record<string, unknown>).seed === 2 && st.tObs !== undefined,
      'seed 2',
    );
    expect(s.tObs).not.toBe(before.tObs);
    expect(s.tensors).toBe(before.tensors); // the rebuild freed what the last experiment held
    expect(new URL(page.url()).searchParams.get('seed')).toBe('2');
  });

  it("two-sample, and Student's sleep data (R: t = 4.062128, p = 0.00283289)", async () => {
    await set(page, 'experiment', 'two-sample');
    let s = await until(page, (st) => st.experiment === 'two-sample', 'two-sample');
    expect(s.df).toBe(2 * Number(s.n) - 2);
    checkTest(s);
    await set(page, 'experiment', 'sleep data');
    s = await until(page, (st) => st.experiment === 'sleep data', 'sleep data');
    expect(s).toMatchObject({ n: 10, df: 9 });
    expect(Number(s.tObs)).toBeCloseTo(4.062128, 5);
    expect(Number(s.pFormula)).toBeCloseTo(0.00283289, 7);
    checkTest(s);
    expect(await page.locator('.notice.error').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('bad input gets a message and the default', async () => {
    const errs: string[] = [];
    const bad = await openDemo(
      env.browser,
      `${env.base}/demos/hypothesis-tests/index.html?alpha=2&n=x`,
      errs,
    );
    const text = await bad.textContent('#notice');
    expect(text).toMatch(/α: 2 is above the maximum 0.5; using 0.05/);
    expect(text).toMatch(/n per group: "x" is not a number; using 20/);
    const s = await demoState(bad);
    expect(s).toMatchObject({ alpha: 0.05, n: 20 });
    expect(errs).toEqual([]);
    await bad.close();
  });
});
