// The "matrices as transformations" demo, built, in headless Chromium with and without WebGPU: a dragged
// basis vector and the keyboard change A, and det, eigenvalues, eigenvectors, the SVD and the inverse in
// window.demo.state() match float64 computed here; a complex pair shows its turn and scale; the signed area
// changes colour under a reflection; power iteration steps to the dominant eigenvalue; Gram-Schmidt's q's
// are orthonormal; and PageRank, edited by the table and by clicks, matches a float64 power iteration.
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { type State, demoState, openDemo, until, describeDemo } from './helpers/demo_page';

type M2 = [[number, number], [number, number]];

/** Eigenvalues of a 2x2 matrix in float64 from the characteristic polynomial: [re, im] pairs, larger re first. */
function eigen64(m: M2): [number, number][] {
  const [[a, b], [c, d]] = m;
  const half = (a + d) / 2;
  const disc = half * half - (a * d - b * c);
  if (disc >= 0) {
    return [
      [half + Math.sqrt(disc), 0],
      [half - Math.sqrt(disc), 0],
    ];
  }
  return [
    [half, Math.sqrt(-disc)],
    [half, -Math.sqrt(-disc)],
  ];
}

/** Singular values of a 2x2 matrix in float64: square roots of the eigenvalues of A^T A. */
function singular64(m: M2): [number, number] {
  const [[a, b], [c, d]] = m;
  const [p, q, r] = [a * a + c * c, a * b + c * d, b * b + d * d]; // A^T A = [[p, q], [q, r]]
  const half = (p + r) / 2;
  const root = Math.sqrt(((p - r) / 2) ** 2 + q * q);
  return [Math.sqrt(half + root), Math.sqrt(Math.max(0, half - root))];
}

/**
 * PageRank by the definition, in float64: L[i][j] = 1/out(j) when page j links to i (a page without links
 * links to all), M = d L + (1 - d)/n, r <- M r from r = 1/n for `steps` steps.
 */
function pagerank64(n: number, links: number[][], d: number, steps: number): number[] {
  const L = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    const out = links.filter(([from]) => from === j).map(([, to]) => to);
    for (let i = 0; i < n; i++) L[i][j] = out.length === 0 ? 1 / n : out.includes(i) ? 1 / out.length : 0;
  }
  let r = new Array<number>(n).fill(1 / n);
  for (let s = 0; s < steps; s++) {
    r = r.map((_, i) => r.reduce((acc, rj, j) => acc + (d * L[i][j] + (1 - d) / n) * rj, 0));
  }
  const total = r.reduce((a, v) => a + v, 0);
  return r.map((v) => v / total);
}

const matrixOf = (s: State) => s.matrix as M2;
/** The demo shows float32 values: a decimal entry comes back within a float32 rounding of itself. */
const near = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
/** Whether the demo's matrix is (within float32 rounding) the given one. */
const isMatrix = (s: State, m: number[]) =>
  matrixOf(s)
    .flat()
    .every((v, i) => near(v, m[i]));
const params = (s: State) => s.params as Record<string, number | string | boolean>;

/** Checks det, trace, eigenvalues (and real eigenvectors), singular values and the inverse against float64. */
function expectAnalysisMatches(s: State) {
  const m = matrixOf(s);
  const [[a, b], [c, d]] = m;
  const scale = Math.max(1, ...m.flat().map(Math.abs));
  // float32 entries and a handful of operations: a few ulps of scale^2.
  expect(Number(s.det)).toBeCloseTo(a * d - b * c, 5);
  expect(Number(s.trace)).toBeCloseTo(a + d, 5);
  const ref = eigen64(m);
  const got = s.eigenvalues as number[][];
  // The discriminant cancels: its float32 error is ~1e-7 scale^2, so an eigenvalue's error is up to its
  // square root where the two eigenvalues nearly meet; the matrices tested here are far from that.
  for (let i = 0; i < 2; i++) {
    expect(Math.abs(got[i][0] - ref[i][0]), `eigenvalue ${i} (real part)`).toBeLessThan(1e-4 * scale);
    expect(Math.abs(got[i][1] - ref[i][1]), `eigenvalue ${i} (imaginary part)`).toBeLessThan(1e-4 * scale);
  }
  expect(s.eigenKind).toBe(ref[0][1] === 0 ? 'real' : 'complex');
  if (s.eigenKind === 'real') {
    (s.eigenvectors as number[][]).forEach(([x, y], i) => {
      const lam = ref[i][0];
      expect(Math.hypot(x, y)).toBeCloseTo(1, 5);
      expect(
        Math.hypot(a * x + b * y - lam * x, c * x + d * y - lam * y),
        `A v${i + 1} = λ v${i + 1}`,
      ).toBeLessThan(1e-4 * scale);
    });
  } else {
    const [re, im] = ref[0];
    const r = Math.sqrt(a * d - b * c);
    expect(Number(s.rotationScale)).toBeCloseTo(r, 5);
    expect(Number(s.rotationDeg)).toBeCloseTo((Math.atan2(im, re) * 180) / Math.PI, 2);
  }
  const sv = (s.singularValues as number[][])[0];
  const svRef = singular64(m);
  expect(Math.abs(sv[0] - svRef[0])).toBeLessThan(1e-4 * scale);
  expect(Math.abs(sv[1] - svRef[1])).toBeLessThan(1e-4 * scale);
  // U and V^T are orthogonal and U diag(s) V^T = A; when det A > 0 both are rotations (turn, stretch, turn).
  const [U, Vt] = [s.svdU as M2, s.svdVt as M2];
  for (const Q of [U, Vt]) {
    expect(Q[0][0] * Q[0][1] + Q[1][0] * Q[1][1]).toBeCloseTo(0, 5);
    expect(Math.hypot(Q[0][0], Q[1][0])).toBeCloseTo(1, 5);
  }
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 2; j++) {
      expect(U[i][0] * sv[0] * Vt[0][j] + U[i][1] * sv[1] * Vt[1][j]).toBeCloseTo(m[i][j], 4);
    }
  }
  const detOf = (q: M2) => q[0][0] * q[1][1] - q[0][1] * q[1][0];
  if (a * d - b * c > 1e-3) expect([detOf(U), detOf(Vt)].map(Math.sign)).toEqual([1, 1]);
  const det = a * d - b * c;
  if (Math.abs(det) > 0.1) {
    const inv = [d / det, -b / det, -c / det, a / det];
    (s.inverse as number[][]).flat().forEach((v, i) => expect(v).toBeCloseTo(inv[i], 4));
  }
}

/** The canvas pixel of plane coordinates (x, y) on the page (the view is [-4, 4]^2). */
async function planePixel(page: Page, x: number, y: number): Promise<[number, number]> {
  const box = (await page.locator('#plane').boundingBox())!;
  // 1 px border around the canvas.
  const w = box.width - 2;
  const h = box.height - 2;
  return [box.x + 1 + ((x + 4) / 8) * w, box.y + 1 + ((4 - y) / 8) * h];
}

describeDemo('linear-algebra demo', (env) => {
  const { mode, webgpu } = env;
  let page: Page;
  const errors: string[] = [];
  let tensorsAtStart = 0;
  const liveTensors = () => page.evaluate(() => window.demo!.context()!.memory().tensors);
  beforeAll(async () => {
    page = await openDemo(env.browser, `${env.base}/demos/linear-algebra/index.html`, errors);
  });

  it('starts on the default matrix with every number matching float64', async () => {
    const s = await until(page, (st) => Array.isArray(st.matrix), 'the first analysis');
    tensorsAtStart = await liveTensors();
    expect(s.backend).toBe(mode);
    expect(s.playing).toBe(false);
    expect(matrixOf(s)).toEqual([
      [1, 1],
      [0.5, 1.5],
    ]);
    expectAnalysisMatches(s);
    // The solve: A x = b in float64.
    const [[a, b], [c, d]] = matrixOf(s);
    const [bx, by] = (s.b as number[][])[0];
    const [x, y] = (s.solution as number[][])[0];
    expect(a * x + b * y).toBeCloseTo(bx, 4);
    expect(c * x + d * y).toBeCloseTo(by, 4);
    expect(await page.textContent('#formula')).toContain(Number(s.det).toFixed(3));
  });

  it('dragging A e1 with the pointer, and A e2 with the keyboard, changes A; the numbers follow', async () => {
    const before = await demoState(page);
    const handle = page.locator('button.handle[title^="A e1"]');
    const box = (await handle.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    const [tx, ty] = await planePixel(page, 2, -0.5);
    await page.mouse.move((box.x + tx) / 2, (box.y + ty) / 2, { steps: 3 });
    await page.mouse.move(tx, ty, { steps: 3 });
    await page.mouse.up();
    // Handles snap to 0.01; the pointer lands within a pixel (1/65 of a unit) of the target.
    const s = await until(
      page,
      (st) => Math.abs(matrixOf(st)[0][0] - 2) < 0.03 && Math.abs(matrixOf(st)[1][0] + 0.5) < 0.03,
      'A e1 dragged to (2, -0.5)',
    );
    expect(matrixOf(s)[0][1]).toBe(matrixOf(before)[0][1]);
    expectAnalysisMatches(s);
    // The drop is written into the params (and the URL).
    const committed = await until(
      page,
      (st) => near(matrixOf(s)[0][0], Number(params(st).a)) && near(matrixOf(s)[1][0], Number(params(st).c)),
      'the dragged column in the params',
    );
    expect(new URL(page.url()).searchParams.get('a')).toBe(String(params(committed).a));

    await page.locator('button.handle[title^="A e2"]').focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Shift+ArrowUp');
    const k = await until(
      page,
      (st) =>
        Math.abs(matrixOf(st)[0][1] - (matrixOf(s)[0][1] + 0.3)) < 1e-6 &&
        Math.abs(matrixOf(st)[1][1] - (matrixOf(s)[1][1] + 0.01)) < 1e-6,
      'A e2 moved by the arrow keys',
    );
    expectAnalysisMatches(k);

    // Typing an entry in the controls.
    const entry = page
      .locator('.lil-controller', { has: page.locator('.lil-name', { hasText: 'a (row 1, col 1)' }) })
      .locator('input')
      .first();
    await entry.fill('0.75');
    await entry.press('Enter');
    const typed = await until(page, (st) => near(matrixOf(st)[0][0], 0.75), 'a typed in');
    expectAnalysisMatches(typed);
  });

  it('a complex pair is a turn and a scale; a reflection flips the sign and colour of the area', async () => {
    await page.getByRole('button', { name: 'turn and shrink (complex λ)' }).click();
    const s = await until(page, (st) => isMatrix(st, [0.8, -0.7, 0.5, 0.9]), 'the complex preset');
    expect(s.eigenKind).toBe('complex');
    expectAnalysisMatches(s);
    // The area's colour at A (0.9, 0.1), inside the unit square's image and away from the other layers.
    await page.evaluate(async () => {
      for (const k of ['eigen', 'solve', 'power', 'picture', 'circle', 'grid'])
        await window.demo!.control.set(k, false);
    });
    const colourAt = async (m: M2) => {
      const [x, y] = [m[0][0] * 0.9 + m[0][1] * 0.1, m[1][0] * 0.9 + m[1][1] * 0.1];
      const canvas = await page.$eval(
        '#plane',
        (c, [px, py]) =>
          Array.from((c as HTMLCanvasElement).getContext('2d')!.getImageData(px, py, 1, 1).data),
        [Math.round(((x + 4) / 8) * 520), Math.round(((4 - y) / 8) * 520)],
      );
      return canvas;
    };
    await page.getByRole('button', { name: 'identity' }).click();
    const id = await until(page, (st) => isMatrix(st, [1, 0, 0, 1]), 'identity');
    const blue = await colourAt(matrixOf(id));
    expect(blue[2]).toBeGreaterThan(blue[0]);
    await page.getByRole('button', { name: 'reflection in y = x' }).click();
    const r = await until(page, (st) => isMatrix(st, [0, 1, 1, 0]), 'reflection');
    expect(Number(r.det)).toBeCloseTo(-1, 6);
    expectAnalysisMatches(r);
    const orange = await colourAt(matrixOf(r));
    expect(orange[0]).toBeGreaterThan(orange[2]);
    await page.evaluate(async () => {
      for (const k of ['eigen', 'solve', 'power', 'picture', 'circle', 'grid'])
        await window.demo!.control.set(k, true);
    });
  });

  it('power iteration, one click at a time, reaches the dominant eigenvalue', async () => {
    await page.getByRole('button', { name: 'default' }).click();
    const s0 = await until(
      page,
      (st) => isMatrix(st, [1, 1, 0.5, 1.5]) && st.powerStep === 0,
      'default, k = 0',
    );
    const m = matrixOf(s0);
    const v0 = (s0.powerIterate as number[][])[0];
    await page.locator('.lil-gui button', { hasText: /^step$/ }).click();
    const s1 = await until(page, (st) => st.powerStep === 1, 'one step');
    // One step is A v0 / |A v0|, in float64.
    const av = [m[0][0] * v0[0] + m[0][1] * v0[1], m[1][0] * v0[0] + m[1][1] * v0[1]];
    const len = Math.hypot(av[0], av[1]);
    const v1 = (s1.powerIterate as number[][])[0];
    expect(v1[0]).toBeCloseTo(av[0] / len, 5);
    expect(v1[1]).toBeCloseTo(av[1] / len, 5);
    await page.evaluate(() => window.demo!.control.step(19));
    const s = await until(page, (st) => st.powerStep === 20, 'twenty steps');
    // |lambda2 / lambda1| = 1/4: after 20 steps the direction is off by ~4^-20, so float32 rounding is all.
    const dominant = eigen64(m)[0][0];
    expect(Number(s.rayleigh)).toBeCloseTo(dominant, 5);
    expect(Number(s.powerResidual)).toBeLessThan(1e-5);
    const [x, y] = (s.powerIterate as number[][])[0];
    expect(Math.abs(m[0][0] * x + m[0][1] * y - dominant * x)).toBeLessThan(1e-5);
    expect(Number(s.step)).toBeGreaterThanOrEqual(20);
    expect(Number(s.loss)).toBeLessThan(1e-5); // the chart's last residual
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `test-results/demo-linear-algebra-${mode}.png` });
  });

  it('Gram-Schmidt gives orthonormal q spanning the v, V = Q R', async () => {
    const s = await demoState(page);
    const check = (st: State) => {
      const v = st.gsVectors as number[][];
      const q = st.gsQ as number[][];
      const r = st.gsR as number[][];
      for (let i = 0; i < q.length; i++) {
        for (let j = 0; j < q.length; j++) {
          const dot = q[i].reduce((acc, qi, k) => acc + qi * q[j][k], 0);
          expect(dot).toBeCloseTo(i === j ? 1 : 0, 5);
        }
      }
      // v_j = sum_i R[i][j] q_i, with R upper triangular.
      v.forEach((vj, j) => {
        vj.forEach((x, k) => expect(q.reduce((acc, qi, i) => acc + r[i][j] * qi[k], 0)).toBeCloseTo(x, 4));
        for (let i = j + 1; i < q.length; i++) expect(r[i][j]).toBeCloseTo(0, 5);
      });
      // q1 points along v1.
      const n1 = Math.hypot(...v[0]);
      v[0].forEach((x, k) => expect(q[0][k]).toBeCloseTo(x / n1, 5));
    };
    check(s);
    await page.locator('button.handle[title^="v2"]').focus();
    await page.keyboard.press('ArrowLeft');
    // The vectors and their Q, R are published together, after the device has answered.
    const moved = await until(
      page,
      (st) => near((st.gsVectors as number[][])[1][0], (s.gsVectors as number[][])[1][0] - 0.1),
      'v2 moved',
    );
    expect((moved.gsR as number[][])[0][1]).not.toBe((s.gsR as number[][])[0][1]);
    check(moved);
    // Three vectors in space.
    await page.evaluate(() => window.demo!.control.set('gsMode', 'space'));
    const space = await until(page, (st) => (st.gsVectors as number[][] | undefined)?.length === 3, 'space');
    expect((space.gsQ as number[][]).every((q) => q.length === 3)).toBe(true);
    check(space);
    await page.evaluate(() => window.demo!.control.set('gsMode', 'plane'));
    await until(page, (st) => (st.gsVectors as number[][] | undefined)?.length === 2, 'the plane again');
  });

  it('PageRank: ranks sum to 1 and match float64 power iteration, through table and canvas edits', async () => {
    const check = (st: State) => {
      const ranks = (st.pagerank as number[][])[0];
      const ref = pagerank64(
        Number(params(st).pages),
        st.pagerankLinks as number[][],
        Number(st.pagerankDamping),
        Number(st.pagerankSteps),
      );
      expect(ranks.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
      ranks.forEach((v, i) => expect(v, `rank of page ${i}`).toBeCloseTo(ref[i], 5));
      return ranks;
    };
    const s0 = await until(page, (st) => Array.isArray(st.pagerank), 'ranks');
    const ranks0 = check(s0);
    const count = (st: State) => (st.pagerankLinks as number[][]).length;
    // The table: page 4 links to page 1 as well.
    await page.locator('#pagerank-links input[data-from="4"][data-to="1"]').check();
    const s1 = await until(page, (st) => count(st) === count(s0) + 1, 'a link added in the table');
    expect(s1.pagerankLinks).toContainEqual([4, 1]);
    const ranks1 = check(s1);
    expect(ranks1[1]).toBeGreaterThan(ranks0[1]);
    // The canvas: click page 2, then page 4 (adds 2>4), then the same pair again (removes it).
    const nodes = JSON.parse((await page.getAttribute('#pagerank', 'data-nodes'))!) as number[][];
    const box = (await page.locator('#pagerank').boundingBox())!;
    const size = await page.$eval('#pagerank', (c) => (c as HTMLCanvasElement).width);
    const click = (i: number) =>
      page.mouse.click(
        box.x + 1 + (nodes[i][0] * (box.width - 2)) / size,
        box.y + 1 + (nodes[i][1] * (box.height - 2)) / size,
      );
    await click(2);
    await click(4);
    const s2 = await until(page, (st) => count(st) === count(s1) + 1, 'a link added on the canvas');
    expect(s2.pagerankLinks).toContainEqual([2, 4]);
    check(s2);
    await click(2);
    await click(4);
    check(await until(page, (st) => count(st) === count(s1), 'the link removed again'));
    await page.evaluate(() => window.demo!.control.set('damping', 0.5));
    const s3 = await until(page, (st) => st.pagerankDamping === 0.5, 'd = 0.5');
    check(s3);
    // The link matrix is column-stochastic: its dominant eigenvalue is 1.
    expect(Number(s3.pagerankEigenvalue)).toBeCloseTo(1, 5);
    await page.screenshot({ path: `test-results/demo-linear-algebra-full-${mode}.png`, fullPage: true });
    expect(await page.locator('.notice.error').count()).toBe(0);
    expect(await page.locator('#stage .error:not([hidden])').count()).toBe(0);
    // Every drag, step, edit and rebuild above left the device holding what it held at the start.
    await page.waitForTimeout(300);
    expect(await liveTensors()).toBe(tensorsAtStart);
    expect(errors).toEqual([]);
  });

  if (webgpu) {
    it('switching to the CPU and back keeps the matrix; the numbers still match float64', async () => {
      const before = await demoState(page);
      await page.evaluate(() => window.demo!.control.setBackend('cpu'));
      const cpu = await until(page, (st) => st.backend === 'wasm' && Array.isArray(st.matrix), 'on the CPU');
      expect(matrixOf(cpu)).toEqual(matrixOf(before));
      expectAnalysisMatches(cpu);
      await page.evaluate(() => window.demo!.control.setBackend('webgpu'));
      const gpu = await until(page, (st) => st.backend === 'webgpu' && Array.isArray(st.matrix), 'on WebGPU');
      expectAnalysisMatches(gpu);
      expect(errors).toEqual([]);
    });
  }

  it('a URL reproduces a state; a bad value gets a message and the default', async () => {
    const local: string[] = [];
    const p2 = await openDemo(
      env.browser,
      `${env.base}/demos/linear-algebra/index.html?a=2&b=0&c=0&d=3&pages=3&links=0>1,1>0,1>2&damping=2`,
      local,
    );
    const s = await until(p2, (st) => Array.isArray(st.pagerank), 'the linked state');
    expect(matrixOf(s)).toEqual([
      [2, 0],
      [0, 3],
    ]);
    expect(s.eigenvalues).toEqual([
      [3, 0],
      [2, 0],
    ]);
    expect(s.pagerankLinks).toEqual([
      [0, 1],
      [1, 0],
      [1, 2],
    ]);
    expect(s.pagerankDamping).toBe(0.85);
    expect(await p2.textContent('#notice')).toMatch(/damping d: 2 is above the maximum 1; using 0.85/);
    expect(local).toEqual([]);
    await p2.close();
  });
});
