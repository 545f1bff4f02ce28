// The multivariate-calculus demo (built, in dist-demos) driven in headless Chromium with WebGPU
// (SwiftShader here) and without it: moving the Taylor point by click and keyboard, the gradient, the
// Hessian and its eigenvalues and the Taylor values near the point against the function in float64; a
// typed expression and a bad one (a clear message); the Jacobian of polar coordinates with det = r;
// Newton-Raphson in 1-D and 2-D reaching the roots quadratically; the chain rule on a neuron against the
// derivatives worked by hand. Screenshots land in test-results/.
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

/** The typed function, its gradient and Hessian, worked out by hand in float64. */
const EXPR = 'sin(x)*cos(y) + x^2*y';
const f = (x: number, y: number) => Math.sin(x) * Math.cos(y) + x * x * y;
const grad = (x: number, y: number) => [
  Math.cos(x) * Math.cos(y) + 2 * x * y,
  -Math.sin(x) * Math.sin(y) + x * x,
];
const hessian = (x: number, y: number) => {
  const xy = -Math.cos(x) * Math.sin(y) + 2 * x;
  return [-Math.sin(x) * Math.cos(y) + 2 * y, xy, xy, -Math.sin(x) * Math.cos(y)];
};

type Sample = { dx: number; dy: number; f: number; t1: number; t2: number };
const set = (page: Page, key: string, value: string | number) =>
  page.evaluate(([k, v]) => window.demo!.control.set(k as string, v), [key, value] as const);

/** Where a data point (x, y) of a canvas spanning `range` is on the page. */
async function pagePoint(page: Page, selector: string, range: number[], x: number, y: number) {
  await page.locator(selector).scrollIntoViewIfNeeded();
  const box = (await page.locator(selector).boundingBox())!;
  return [
    box.x + ((x - range[0]) / (range[1] - range[0])) * box.width,
    box.y + (1 - (y - range[2]) / (range[3] - range[2])) * box.height,
  ] as const;
}

/** Checks the local model at the demo's point against the float64 formulas. */
function checkLocalModel(s: State) {
  const [x, y] = s.point as number[];
  // float32 arithmetic on values of order 1-10: a few ulps.
  expect(Number(s.f)).toBeCloseTo(f(x, y), 5);
  (s.grad as number[]).forEach((g, i) => expect(g).toBeCloseTo(grad(x, y)[i], 4));
  (s.hessian as number[]).forEach((h, i) => expect(h).toBeCloseTo(hessian(x, y)[i], 4));
  // The eigenvalues of the symmetric 2x2 Hessian: mean +- sqrt(((a - c)/2)^2 + b^2), larger first.
  const [a, b, , c] = hessian(x, y);
  const r = Math.hypot((a - c) / 2, b);
  expect((s.eigenvalues as number[])[0]).toBeCloseTo((a + c) / 2 + r, 4);
  expect((s.eigenvalues as number[])[1]).toBeCloseTo((a + c) / 2 - r, 4);
  // Near the point the tangent plane is off by O(r^2) and the Taylor polynomial by O(r^3) (its remainder
  // is at most M r^3 / 6 with M bounding the third derivatives, below 6 here), up to float32 noise.
  for (const t of s.taylor as Sample[]) {
    const exact = f(x + t.dx, y + t.dy);
    const r2 = t.dx ** 2 + t.dy ** 2;
    expect(t.f).toBeCloseTo(exact, 5);
    expect(Math.abs(t.t2 - exact)).toBeLessThanOrEqual(r2 ** 1.5 + 2e-5);
    expect(Math.abs(t.t1 - exact)).toBeLessThanOrEqual(4 * r2 + 2e-5);
    if (r2 >= 0.03 ** 2) expect(Math.abs(t.t2 - exact)).toBeLessThan(Math.abs(t.t1 - exact));
  }
}

describeDemo('calculus demo', (env) => {
  const { mode } = env;

  it('a typed function: gradient, Hessian, Taylor at a point moved by click and keyboard; a bad expression', async () => {
    const errors: string[] = [];
    const page = await openDemo(
      env.browser,
      `${env.base}/demos/calculus/index.html?expr=${encodeURIComponent(EXPR)}`,
      errors,
    );
    let s = await demoState(page);
    expect(s.backend).toBe(mode);
    expect(s.playing).toBe(false);
    expect(s.expression).toBe(EXPR);
    checkLocalModel(s);

    // A click on the plot moves the point there (the canvas spans [-3, 3]^2).
    const [px, py] = await pagePoint(page, '#field', [-3, 3, -3, 3], -1.2, 0.7);
    await page.mouse.click(px, py);
    s = await until(
      page,
      (st) => Math.hypot((st.point as number[])[0] + 1.2, (st.point as number[])[1] - 0.7) < 0.03,
      'a click moves the point',
    );
    checkLocalModel(s);
    // The arrow keys move it by 0.1.
    const [x0, y0] = s.point as number[];
    await page.focus('#field');
    await page.keyboard.press('ArrowUp');
    s = await until(
      page,
      (st) => Math.abs((st.point as number[])[1] - (y0 + 0.1)) < 1e-6,
      'ArrowUp moves the point',
    );
    expect((s.point as number[])[0]).toBeCloseTo(x0, 6);
    checkLocalModel(s);
    expect(await canvasColours(page, '#field')).toBeGreaterThan(50);
    expect(await page.locator('#slice .uplot').count()).toBe(1);

    // Another typed function: a bowl whose Hessian is diag(2, 6) everywhere.
    await set(page, 'expr', 'x^2 + 3y^2');
    s = await demoState(page);
    const [x, y] = s.point as number[];
    expect(s.grad as number[]).toEqual([expect.closeTo(2 * x, 4), expect.closeTo(6 * y, 4)]);
    expect(s.hessian as number[]).toEqual([2, 0, 0, 6].map((v) => expect.closeTo(v, 4)));
    expect(s.eigenvalues as number[]).toEqual([expect.closeTo(6, 4), expect.closeTo(2, 4)]);
    // A bad one: a message that says where and what, and the default function instead.
    await set(page, 'expr', 'x^2 + (y');
    expect(await page.textContent('#notice')).toContain(
      'f(x, y): expected ")" to close the "(" at character 7, found at the end; using sin(x)*cos(y)',
    );
    expect((await demoState(page)).expression).toBe('sin(x)*cos(y)');
    await set(page, 'expr', 'x + foo(y)');
    expect(await page.textContent('#notice')).toMatch(/f\(x, y\): unknown name "foo" at character 5/);
    expect(await page.locator('.notice.error').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the Jacobian of polar coordinates has det = r; Newton-Raphson in 1-D and 2-D; the chain rule; screenshot', async () => {
    const errors: string[] = [];
    const page = await openDemo(env.browser, `${env.base}/demos/calculus/index.html`, errors);
    // Polar coordinates: J = [[cos t, -r sin t], [sin t, r cos t]], det J = r; the true image of the
    // small square [r, r + h] x [t, t + h] has area h^2 (r + h/2).
    const [r, t] = [1.7, 0.6];
    await set(page, 'cursor', `${r},${t}`);
    let s = await demoState(page);
    expect(s.map).toBe('polar');
    expect(Number(s.det)).toBeCloseTo(r, 5);
    expect(s.jacobian as number[]).toEqual(
      [Math.cos(t), -r * Math.sin(t), Math.sin(t), r * Math.cos(t)].map((v) => expect.closeTo(v, 5)),
    );
    expect(Number(s.areaRatio)).toBeCloseTo(r + 0.15 / 2, 3);
    // Dragging on the domain moves the cursor (the domain spans r in [0, 2], theta in [0, 2 pi]).
    const [dx, dy] = await pagePoint(page, '#jac-domain', [0, 2, 0, 2 * Math.PI], 1, 3);
    await page.mouse.click(dx, dy);
    s = await until(
      page,
      (st) => Math.abs((st.cursor as number[])[0] - 1) < 0.02,
      'a click moves the cursor',
    );
    expect(Number(s.det)).toBeCloseTo((s.cursor as number[])[0], 5);
    expect(await canvasColours(page, '#jac-image')).toBeGreaterThan(5);

    // Newton-Raphson, one step: x1 = 3 - g(3)/g'(3) = 3 - 16/25 for g(x) = x^3 - 2x - 5.
    const tensors = (await demoState(page)).tensors;
    await page.evaluate(() => window.demo!.control.step(1));
    s = await demoState(page);
    const n1 = s.newton1d as { x: number; steps: number; xs: number[] };
    expect(n1.steps).toBe(1);
    expect(n1.x).toBeCloseTo(3 - 16 / 25, 5);
    await page.evaluate(() => window.demo!.control.step(5));
    s = await demoState(page);
    const g = (x: number) => x ** 3 - 2 * x - 5;
    expect(Math.abs(g((s.newton1d as { x: number }).x))).toBeLessThan(1e-4);
    // 2-D: the circle x^2 + y^2 = 4 meets the hyperbola x y = 1, and the residual falls quadratically.
    const n2 = s.newton2d as { point: [number, number]; residual: number; residuals: number[] };
    const [nx, ny] = n2.point;
    expect(Math.abs(nx * nx + ny * ny - 4)).toBeLessThan(1e-4);
    expect(Math.abs(nx * ny - 1)).toBeLessThan(1e-4);
    expect(s.loss).toBeCloseTo(n2.residual, 10); // the shell keeps it as float32
    const res = n2.residuals;
    for (let k = 1; k + 1 < res.length && res[k] > 1e-4; k++)
      expect(res[k + 1]).toBeLessThanOrEqual(2 * res[k] ** 2);
    expect(s.tensors).toBe(tensors); // the steps leave nothing behind
    // A click on the 2-D plot starts again from there.
    const [qx, qy] = await pagePoint(page, '#newton2d', [-3, 3, -3, 3], -1.5, 0.5);
    await page.mouse.click(qx, qy);
    s = await until(
      page,
      (st) => Math.abs((st.newton2d as { point: number[] }).point[0] + 1.5) < 0.03,
      'a click restarts 2-D Newton',
    );
    expect((s.newton2d as { steps: number }).steps).toBe(0);

    // The chain rule on L = (tanh(w1 x1 + w2 x2 + b) - t)^2 at the defaults, worked by hand.
    const graph = s.graph as {
      values: Record<string, number>;
      grads: Record<string, number>;
      local: Record<string, number>;
    };
    const [x1, w1, x2, w2, b, tt] = [2, -0.5, 1, 0.8, 0.3, 0.5];
    const z = w1 * x1 + w2 * x2 + b;
    const a = Math.tanh(z);
    const dLda = 2 * (a - tt);
    const dLdz = dLda * (1 - a * a);
    expect(graph.values.L).toBeCloseTo((a - tt) ** 2, 6);
    const expected: Record<string, number> = {
      L: 1,
      d: dLda,
      a: dLda,
      t: -dLda,
      z: dLdz,
      s: dLdz,
      b: dLdz,
      m1: dLdz,
      m2: dLdz,
      x1: dLdz * w1,
      w1: dLdz * x1,
      x2: dLdz * w2,
      w2: dLdz * x2,
    };
    for (const [id, v] of Object.entries(expected)) expect(graph.grads[id], id).toBeCloseTo(v, 5);
    // Every edge: the gradient at its start is the gradient at its end times the local derivative.
    for (const [edge, local] of Object.entries(graph.local)) {
      const [from, to] = edge.split('>');
      expect(graph.grads[from], edge).toBeCloseTo(graph.grads[to] * local, 5);
    }
    // Enter on the graph steps the backward pass: first forward values only, then L's gradient.
    await page.focus('#graph');
    await page.keyboard.press('Enter');
    await until(page, (st) => st.flow === 1, 'Enter shows the forward pass');
    await page.keyboard.press('Enter');
    await until(page, (st) => st.flow === 2, 'Enter shows the first gradient');

    for (const id of ['#field', '#jac-domain', '#newton1d', '#newton2d', '#graph'])
      expect(await canvasColours(page, id), id).toBeGreaterThan(3);
    await page.evaluate(() => window.demo!.control.step(4));
    await page.screenshot({ path: `test-results/demo-calculus-${mode}.png`, fullPage: true });
    await thumbnail(page, '#field', `test-results/thumb-calculus-${mode}.jpg`);

    // Another activation rebuilds the graph's numbers.
    await set(page, 'act', 'sigmoid');
    const sg = (await demoState(page)).graph as { values: Record<string, number> };
    expect(sg.values.a).toBeCloseTo(1 / (1 + Math.exp(-z)), 6);
    expect(await page.locator('.notice.error').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
