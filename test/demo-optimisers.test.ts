// The optimisation-landscapes demo (built, in dist-demos) driven in headless Chromium with WebGPU
// (SwiftShader here) and without it: a click places the start, one step takes gradient descent where
// the float64 formula says and Newton's method to the bowl's minimum, the curvature L is the bowl's
// largest eigenvalue, the batched learning-rate sweep finds divergence within 5% of 2/L (its runs per
// second are printed), the grid of starts finds Himmelblau's four basins, keyboard input moves the start
// and turns the 3-D view, bad input gets a message, and screenshots land in test-results/.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import {
  canvasColours,
  demoState,
  openDemo,
  type State,
  thumbnail,
  until,
  describeDemo,
} from './helpers/demo_page';

const KAPPA = 10;
const ANGLE = 30;

/** The bowl's Hessian R diag(1, kappa) R^T, written out here in float64 from its definition. */
function bowl(kappa: number, angleDeg: number): [[number, number], [number, number]] {
  const t = (angleDeg * Math.PI) / 180;
  const R = [
    [Math.cos(t), -Math.sin(t)],
    [Math.sin(t), Math.cos(t)],
  ];
  const d = [1, kappa];
  const A = [0, 1].map((i) => [0, 1].map((j) => R[i][0] * d[0] * R[j][0] + R[i][1] * d[1] * R[j][1]));
  return A as [[number, number], [number, number]];
}

type Racer = { x: number; y: number; loss: number; steps: number; diverged: boolean };
const race = (s: State) => s.race as Record<string, Racer>;
const act = (page: Page, key: string) => page.evaluate((k) => window.demo!.control.act(k), key);

describeDemo('optimisers demo', (env) => {
  const { mode, webgpu } = env;

  it('race, sweep, basins and stochastic gradients on the quadratic bowl; screenshot', async () => {
    const errors: string[] = [];
    const page = await openDemo(
      env.browser,
      `${env.base}/demos/optimisers/index.html?kappa=${KAPPA}&angle=${ANGLE}&basinSide=128`,
      errors,
    );
    await page.evaluate(() => window.demo!.control.pause());
    expect((await demoState(page)).backend).toBe(mode);

    // A click on the contour plot places the start: the canvas spans [-3, 3]^2, so a click a quarter of
    // the way in from the top left is (-1.5, 1.5); the race restarts there.
    const box = (await page.locator('#contours').boundingBox())!;
    await page.mouse.click(box.x + box.width / 4, box.y + box.height / 4);
    const placed = await until(
      page,
      (s) => Math.abs((s.start as number[])[0] + 1.5) < 0.05 && s.raceStep === 0,
      'a click places the start',
    );
    const [x0, y0] = placed.start as number[];
    expect(Math.abs(y0 - 1.5)).toBeLessThan(0.05);
    const A = bowl(KAPPA, ANGLE);
    const grad = [A[0][0] * x0 + A[0][1] * y0, A[1][0] * x0 + A[1][1] * y0];
    expect(Number(placed.f0)).toBeCloseTo(0.5 * (x0 * grad[0] + y0 * grad[1]), 4);
    // The curvature from gb.hessian and the 2x2 eigen-decomposition: the bowl's eigenvalues are 1, kappa.
    expect(Number(placed.L)).toBeCloseTo(KAPPA, 3);
    expect(placed.hessianAtStart as number[]).toEqual(A.flat().map((v) => expect.closeTo(v, 4)));

    // One step: Newton lands on the minimum, gradient descent moves by -lr * grad exactly.
    await page.evaluate(() => window.demo!.control.step(1));
    let s = await demoState(page);
    const r1 = race(s);
    expect(Math.hypot(r1.newton.x, r1.newton.y)).toBeLessThan(1e-4);
    expect(r1.newton.loss).toBeLessThan(1e-7 * Number(s.f0));
    const lr = Number((s.params as Record<string, unknown>).lrGd);
    expect(r1.gd.x).toBeCloseTo(x0 - lr * grad[0], 4);
    expect(r1.gd.y).toBeCloseTo(y0 - lr * grad[1], 4);
    // Every racer took its step, and every first-order one moved downhill from the start.
    for (const [m, r] of Object.entries(r1)) {
      expect(r.steps, m).toBe(1);
      if (m !== 'newton') expect(r.loss, m).toBeLessThan(Number(s.f0));
    }

    // Twenty more steps: nobody diverges at these rates on the bowl; gradient descent keeps descending;
    // no tensor is left behind by a step.
    const tensors = s.tensors;
    await page.evaluate(() => window.demo!.control.step(20));
    s = await demoState(page);
    expect(s.tensors).toBe(tensors);
    for (const [m, r] of Object.entries(race(s))) {
      expect(r.diverged, m).toBe(false);
      expect(r.steps, m).toBe(21);
    }
    expect(race(s).gd.loss).toBeLessThan(r1.gd.loss);
    expect((s.sgd as { steps: number }).steps).toBeGreaterThanOrEqual(21);
    expect(Number.isFinite((s.sgd as { fullLoss: number }).fullLoss)).toBe(true);

    // The sweep: 1,024 learning rates at once. Its measured divergence threshold is within 5% of 2/L,
    // both as the library computed L and as the bowl's definition gives it (2 / kappa).
    await act(page, 'sweep');
    await act(page, 'sweep'); // the second run is timed without the pipelines' first compile
    s = await demoState(page);
    const sweep = s.sweep as {
      runs: number;
      steps: number;
      runsPerSecond: number;
      lrMin: number;
      lrMax: number;
    };
    expect(sweep.runs).toBe(1024);
    expect(sweep.lrMin).toBeLessThan(Number(s.twoOverL));
    expect(sweep.lrMax).toBeGreaterThan(Number(s.twoOverL));
    expect(Math.abs(Number(s.sweepThreshold) / Number(s.twoOverL) - 1)).toBeLessThan(0.05);
    expect(Math.abs(Number(s.sweepThreshold) / (2 / KAPPA) - 1)).toBeLessThan(0.05);
    expect(sweep.runsPerSecond).toBeGreaterThan(0);
    console.log(
      `optimisers demo [${mode}]: the sweep runs ${sweep.runs} runs x ${sweep.steps} steps at ` +
        `${Math.round(sweep.runsPerSecond)} runs/s (${Math.round(sweep.runsPerSecond * sweep.steps)} steps/s)`,
    );
    expect(await canvasColours(page, '#phase')).toBeGreaterThan(10);
    expect(await page.locator('#sweep-chart .uplot').count()).toBe(1);

    // Basins of attraction on Himmelblau: every start of a 128 x 128 grid ends at one of the four minima,
    // and each minimum draws a good share of the plane.
    await act(page, 'basins');
    s = await demoState(page);
    expect(s.tensors).toBe(tensors); // nor by the sweep and the basins
    const basins = s.basins as { side: number; counts: number[]; unconverged: number };
    expect(basins.side).toBe(128);
    expect(basins.counts.reduce((a, b) => a + b, 0) + basins.unconverged).toBe(128 * 128);
    expect(basins.unconverged).toBeLessThan(128 * 128 * 0.02);
    for (const c of basins.counts) expect(c).toBeGreaterThan(128 * 128 * 0.15);
    expect(await canvasColours(page, '#basins')).toBeGreaterThan(4);

    // The pictures: contours with paths, the 3-D view (WebGPU render pipeline or the canvas fallback).
    expect(s.view3d).toBe(webgpu ? 'webgpu' : 'canvas');
    expect(await canvasColours(page, '#contours')).toBeGreaterThan(20);
    expect(await canvasColours(page, '#surface3d')).toBeGreaterThan(20);
    expect(await canvasColours(page, '#sgd')).toBeGreaterThan(20);
    await page.screenshot({ path: `test-results/demo-optimisers-${mode}.png`, fullPage: true });
    await thumbnail(page, '#contours', `test-results/thumb-optimisers-${mode}.jpg`);

    // Keyboard: arrows on the contour plot move the start by 1/50 of the window; on the 3-D view they
    // turn it (a new frame).
    await page.focus('#contours');
    await page.keyboard.press('ArrowRight');
    await until(
      page,
      (st) => Math.abs((st.start as number[])[0] - (x0 + 6 / 50)) < 1e-3 && st.raceStep === 0,
      'ArrowRight moves the start',
    );
    const frames = Number((await demoState(page)).view3dFrames);
    await page.focus('#surface3d');
    await page.keyboard.press('ArrowLeft');
    await until(page, (st) => Number(st.view3dFrames) > frames, 'ArrowLeft turns the 3-D view');

    expect(await page.locator('.notice.error').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('another surface brings its own start and learning rates; a bad start gets a message', async () => {
    const errors: string[] = [];
    const page = await openDemo(env.browser, `${env.base}/demos/optimisers/index.html?start=abc`, errors);
    expect(await page.textContent('#notice')).toMatch(
      /start x,y \(or click\): "abc" is not a point "x,y" with \|x\|, \|y\| <= 100; using -2.5,2/,
    );
    await page.evaluate(async () => {
      window.demo!.control.pause();
      await window.demo!.control.set('surface', 'himmelblau');
      await window.demo!.control.step(5);
    });
    const s = await demoState(page);
    expect(s.params).toMatchObject({ surface: 'himmelblau', start: '-4,0.5', lrGd: 0.01 });
    expect(s.start).toEqual([-4, 0.5]);
    for (const [m, r] of Object.entries(race(s))) {
      expect(r.steps, m).toBe(5);
      expect(Number.isFinite(r.loss), m).toBe(true);
    }
    expect(await page.locator('.notice.error').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
