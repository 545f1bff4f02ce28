// The built demos (npm run build:demos) driven in headless Chromium, once with WebGPU (SwiftShader here)
// and once without it: they load without errors, train until the loss halves (the spiral to 90%
// accuracy), survive a backend switch, reproduce a state from the URL, replay a reset exactly, answer
// bad input with a message and a default, and leave a non-blank screenshot in test-results/. The landing
// page is a course map: its pillars in order, cards that load, usable by keyboard and on a phone.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { seededRandom } from '../src/index';
import {
  canvasColours as colours,
  demoState as state,
  openDemo,
  type State,
  until,
  describeDemo,
  type DemoEnv,
} from './helpers/demo_page';

const open = (env: DemoEnv, path: string, errors: string[]): Promise<Page> =>
  openDemo(env.browser, `${env.base}/${path}`, errors);

/** The loss after the first step of a fresh run (paused, reset, one step), then training resumes. */
async function startingLoss(page: Page): Promise<State> {
  await page.evaluate(async () => {
    window.demo!.control.pause();
    await window.demo!.control.reset();
    await window.demo!.control.step(1);
  });
  const s = await state(page);
  await page.evaluate(() => window.demo!.control.play());
  return s;
}

/**
 * The least-squares line y = w x + b through the linear-regression demo's training points, in float64
 * and without gradbox: the points are rebuilt from the demo's params the way the demo makes them (its
 * seeded generator, Box-Muller noise, seeded train/test split), then the 2x2 normal equations are solved
 * on centred data. For the default model only (degree 1, no L2 penalty, no added points).
 */
function linearFit64(p: Record<string, unknown>): { w: number; b: number } {
  expect(p).toMatchObject({ degree: 1, l2: 0, points: '' });
  const [n, seed, slope, intercept, noise] = ['n', 'seed', 'slope', 'intercept', 'noise'].map((k) =>
    Number(p[k]),
  );
  const rand = seededRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = rand() * 2 - 1;
    xs.push(x);
    ys.push(slope * x + intercept + noise * gaussian());
  }
  const order = xs
    .map((_, i) => i)
    .sort((a, b) => Math.sin(a * 12.9898 + seed) - Math.sin(b * 12.9898 + seed));
  const nTest = Math.min(n - 2, Math.floor(n * Number(p.testFraction)));
  const test = new Set(order.slice(0, nTest));
  const train = xs.map((_, i) => i).filter((i) => !test.has(i));
  const mx = train.reduce((a, i) => a + xs[i], 0) / train.length;
  const my = train.reduce((a, i) => a + ys[i], 0) / train.length;
  const sxy = train.reduce((a, i) => a + (xs[i] - mx) * (ys[i] - my), 0);
  const sxx = train.reduce((a, i) => a + (xs[i] - mx) ** 2, 0);
  const w = sxy / sxx;
  return { w, b: my - w * mx };
}

const SPIRAL =
  'demos/playground/index.html?dataset=spiral&hidden=16,16&x1sq=true&x2sq=true&x1x2=true&sinx1=true&sinx2=true' +
  '&optimizer=adam&lr=0.03&batchSize=64&stepsPerFrame=10&seed=3';

/** The landing page's pillars in course order, with the demo each card links to. */
const LANDING_PILLARS: [string, string[]][] = [
  ['Linear algebra', ['./demos/linear-algebra/', './demos/pca/']],
  ['Multivariate calculus', ['./demos/calculus/']],
  ['Optimisation', ['./demos/optimisers/']],
  [
    'Probability and statistics',
    [
      './demos/distributions/',
      './demos/clt/',
      './demos/bayes/',
      './demos/likelihood/',
      './demos/hypothesis-tests/',
    ],
  ],
  ['Models', ['./demos/linear-regression/', './demos/playground/']],
  ['Under the hood', ['./demos/kernels/']],
];

/** Every card on the map, in course order. */
const LANDING_CARDS = LANDING_PILLARS.flatMap(([, cards]) => cards);

describeDemo('demos', (env) => {
  const { mode, webgpu } = env;

  it('the landing page is a course map: pillars in order, cards that load, keyboard, phone width', async () => {
    const page = await env.browser.newPage({ viewport: { width: 1400, height: 950 } });
    const errors: string[] = [];
    const elsewhere: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('request', (r) => {
      if (!r.url().startsWith(env.base) && !r.url().startsWith('data:')) elsewhere.push(r.url());
    });
    await page.goto(`${env.base}/index.html`);
    await page.waitForLoadState('load');
    // One section per pillar, in the order the course teaches them, each under its own heading.
    const pillars = await page.$$eval('main > section.pillar', (sections) =>
      sections.map((s) => ({
        heading: s.querySelector('h2')?.textContent?.trim(),
        labelled: s.getAttribute('aria-labelledby') === s.querySelector('h2')?.id,
        cards: [...s.querySelectorAll('a.card')].map((a) => a.getAttribute('href')),
        coming: (s.querySelector('.coming')?.textContent ?? '').replace(/\s+/g, ' ').trim(),
        links: s.querySelectorAll('a').length,
      })),
    );
    expect(pillars.map((p) => p.heading)).toEqual(LANDING_PILLARS.map(([h]) => h));
    pillars.forEach((p, i) => {
      expect(p.labelled).toBe(true);
      expect(p.cards).toEqual(LANDING_PILLARS[i][1]);
      // A pillar without a demo says what is coming, in one line, and links nowhere.
      if (p.cards.length === 0) {
        expect(p.coming).toMatch(/^Coming: .+\.$/);
        expect(p.coming.split(/(?<=\.)\s/)).toHaveLength(1);
        expect(p.links).toBe(0);
      }
    });
    // Landmarks: a banner, one main, a footer; a single h1.
    expect(await page.locator('body > header').count()).toBe(1);
    expect(await page.locator('main').count()).toBe(1);
    expect(await page.locator('body > footer').count()).toBe(1);
    expect(await page.locator('h1').count()).toBe(1);
    // Every card: a thumbnail that loaded, a title, one line of what the learner does, and a link to a
    // demo page that exists in the build.
    const cards = await page.$$eval('a.card', (as) =>
      as.map((a) => ({
        href: (a as HTMLAnchorElement).href,
        img: (a.querySelector('img') as HTMLImageElement | null)?.naturalWidth ?? 0,
        complete: (a.querySelector('img') as HTMLImageElement | null)?.complete ?? false,
        title: a.querySelector('h3')?.textContent?.trim() ?? '',
        line: (a.querySelector('p')?.textContent ?? '').replace(/\s+/g, ' ').trim(),
      })),
    );
    expect(cards).toHaveLength(LANDING_CARDS.length);
    for (const c of cards) {
      expect(c.complete, c.href).toBe(true);
      expect(c.img, c.href).toBeGreaterThan(0);
      expect(c.title.length, c.href).toBeGreaterThan(0);
      expect(c.line.split(/(?<=\.)\s/), c.href).toHaveLength(1);
      const res = await page.request.get(c.href);
      expect(res.status(), c.href).toBe(200);
      expect(await res.text(), c.href).toMatch(/<title>gradbox: /);
    }
    for (const href of await page.$$eval('main a:not(.card)', (as) =>
      as.map((a) => (a as HTMLAnchorElement).href),
    ))
      expect((await page.request.get(href)).status(), href).toBe(200);
    // Keyboard: the first Tab reaches the skip link, the next the first card, which shows its focus.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip-link');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const cs = getComputedStyle(el);
      return {
        tag: el.tagName,
        cls: el.className,
        href: el.getAttribute('href'),
        outline: cs.outlineStyle,
        w: cs.outlineWidth,
      };
    });
    expect(focused).toMatchObject({ tag: 'A', cls: 'card', href: LANDING_CARDS[0] });
    expect(focused.outline).not.toBe('none');
    expect(parseFloat(focused.w)).toBeGreaterThan(0);
    await page.screenshot({ path: `test-results/landing-${mode}.png`, fullPage: true });
    // The skip link moves focus to the map, from where Tab again reaches the first card.
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('course');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe(LANDING_CARDS[0]);
    // A phone: one column of cards and nothing to scroll sideways.
    await page.setViewportSize({ width: 375, height: 740 });
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(375);
    const lefts = await page.$$eval('a.card', (as) =>
      as.map((a) => Math.round(a.getBoundingClientRect().left)),
    );
    expect(new Set(lefts).size).toBe(1);
    await page.screenshot({ path: `test-results/landing-375-${mode}.png`, fullPage: true });
    expect(elsewhere).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('linear regression: loads, the loss halves, GD meets the closed form; screenshot', async () => {
    const errors: string[] = [];
    const page = await open(env, 'demos/linear-regression/index.html', errors);
    const s0 = await startingLoss(page);
    expect(s0.step).toBe(1);
    expect(s0.backend).toBe(mode);
    if (!webgpu) expect(await page.textContent('#notice')).toMatch(/WebGPU is not available here/);
    await until(page, (s) => s.loss <= s0.loss / 2, 'loss halves');
    // The demo's closed form (gradbox's linearRegressionClosedForm) equals an independent float64 fit
    // of the same points, and gradient descent reaches that fit, slope and intercept both.
    const ref = linearFit64(s0.params as Record<string, unknown>);
    expect(Number(s0.closedFormW)).toBeCloseTo(ref.w, 4);
    expect(Number(s0.closedFormB)).toBeCloseTo(ref.b, 4);
    await until(
      page,
      (s) => Math.abs(Number(s.w) - ref.w) < 0.01 && Math.abs(Number(s.b) - ref.b) < 0.01,
      'gradient descent reaches the float64 least-squares fit',
    );
    expect(await colours(page, '#fit')).toBeGreaterThan(5);
    expect(await colours(page, '#surface')).toBeGreaterThan(20);
    expect(await page.textContent('#formula')).toMatch(/closed form/);
    await page.screenshot({ path: `test-results/demo-linear-regression-${mode}.png` });
    // A click on the plot adds a point (kept in the URL); training goes on.
    await page.click('#fit', { position: { x: 60, y: 60 } });
    await until(page, (s) => s.points === 41, 'a clicked point is added');
    expect(new URL(page.url()).searchParams.get('points')).toMatch(/^-?\d/);
    expect(await page.locator('.notice.error').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('playground: the spiral MLP reaches 90% accuracy; screenshot', async () => {
    const errors: string[] = [];
    const page = await open(env, SPIRAL, errors);
    const s0 = await startingLoss(page);
    expect(s0.backend).toBe(mode);
    await until(page, (s) => s.loss <= s0.loss / 2, 'loss halves');
    const s = await until(page, (st) => Number(st.trainAccuracy) >= 0.9, 'spiral accuracy >= 90%');
    // Beyond the training points: the test set's confusion matrix (rows true, columns predicted) counts
    // every test point once, its diagonal gives the reported test accuracy, and that is well above
    // chance for the spiral's two classes.
    const confusion = s.confusion as number[][];
    const params = s.params as Record<string, unknown>;
    const nTest = Number(params.n) - Math.round(Number(params.n) * Number(params.trainRatio));
    expect(confusion.flat().reduce((a, v) => a + v, 0)).toBe(nTest);
    const trace = confusion.reduce((a, row, i) => a + row[i], 0);
    expect(Number(s.testAccuracy)).toBeCloseTo(trace / nTest, 6);
    expect(Number(s.testAccuracy)).toBeGreaterThanOrEqual(0.8);
    expect(await colours(page, '#surface')).toBeGreaterThan(20);
    expect(await colours(page, '#network')).toBeGreaterThan(20);
    expect(await page.locator('#chart .uplot').count()).toBe(2); // loss curves, and accuracy over time
    await page.screenshot({ path: `test-results/demo-playground-${mode}.png` });
    expect(await page.locator('.notice.error').count()).toBe(0);
    // Clicking the x1 node of the diagram switches that feature off.
    const box = (await page.locator('#network').boundingBox())!;
    await page.mouse.click(box.x + 40, box.y + 24);
    await until(
      page,
      (st) => (st.params as Record<string, unknown>).x1 === false,
      'x1 switched off on the diagram',
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a URL with state reproduces it, and reset with the same seed replays the run exactly', async () => {
    const errors: string[] = [];
    const page = await open(
      env,
      'demos/playground/index.html?dataset=xor&hidden=8,4&activation=relu&lr=0.01&seed=7',
      errors,
    );
    await page.evaluate(() => window.demo!.control.pause());
    const s = await state(page);
    expect(s.params).toMatchObject({
      dataset: 'xor',
      hidden: '8,4',
      activation: 'relu',
      lr: 0.01,
      seed: 7,
    });
    expect(new URL(page.url()).searchParams.get('dataset')).toBe('xor');
    const run = async () => {
      await page.evaluate(() => window.demo!.control.reset());
      await page.evaluate(() => window.demo!.control.step(20));
      return (await state(page)).loss;
    };
    const a = await run();
    const b = await run();
    expect(Number.isFinite(a)).toBe(true);
    expect(b).toBe(a);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('bad input in the controls or the URL gives a message and a sane default, never a dead page', async () => {
    const errors: string[] = [];
    const page = await open(env, 'demos/playground/index.html?n=-5&dataset=nope&hidden=999&lr=abc', errors);
    const notice = await page.textContent('#notice');
    expect(notice).toMatch(/points: -5 is below the minimum 20; using 400/);
    expect(notice).toMatch(/dataset: "nope" is not one of/);
    expect(notice).toMatch(/hidden widths: "999" is not a whole number from 1 to 64; using 4,2/);
    expect(notice).toMatch(/learning rate: "abc" is not a number; using 0.03/);
    await until(page, (s) => s.step > 5, 'trains with the defaults');
    await page.evaluate(() => window.demo!.control.set('hidden', ''));
    await page.evaluate(() => window.demo!.control.set('batchSize', 'lots'));
    expect(await page.textContent('#notice')).toMatch(/batch size: "lots" is not a number; using 10/);
    const before = (await state(page)).step;
    await until(page, (s) => s.step > before + 5, 'keeps training after bad input');
    expect(errors).toEqual([]);
    await page.close();
  });

  if (webgpu) {
    it('switching the backend mid-run keeps training, with the learned weights', async () => {
      const errors: string[] = [];
      const page = await open(env, SPIRAL, errors);
      const s0 = await until(page, (s) => s.step >= 100, 'trains a while on WebGPU');
      expect(s0.backend).toBe('webgpu');
      // The weights come along: the loss on the CPU starts where WebGPU left it, not where training
      // started (~0.7). Per-step losses are of random mini-batches and spread tenfold at this stage, so
      // the measure is the test loss over the whole test set, which the demo computes after every
      // step; and a learning rate of 1e-5 for the two steps compared (one on each side of the switch)
      // keeps the restarted Adam's first step, of about lr per weight, from moving it.
      await page.evaluate(async () => {
        const c = window.demo!.control;
        c.pause();
        await c.set('lr', 1e-5);
        await c.step(1);
      });
      const lastOnGpu = await state(page);
      expect(lastOnGpu.backend).toBe('webgpu');
      await page.evaluate(async () => {
        await window.demo!.control.setBackend('cpu');
        await window.demo!.control.step(1);
      });
      const firstOnCpu = await state(page);
      expect(firstOnCpu.backend).toBe('wasm');
      // Training got somewhere (an untrained network's loss is ln 2 ~ 0.69), so the bound below tells.
      expect(Number(lastOnGpu.testLoss)).toBeLessThan(0.35);
      expect(Number(firstOnCpu.testLoss)).toBeLessThanOrEqual(1.1 * Number(lastOnGpu.testLoss));
      await page.evaluate(async () => {
        await window.demo!.control.set('lr', 0.03);
        window.demo!.control.play();
      });
      const s1 = await until(
        page,
        (s) => s.backend === 'wasm' && s.step > firstOnCpu.step + 20,
        'trains on the CPU',
      );
      await page.evaluate(() => window.demo!.control.setBackend('webgpu'));
      const s2 = await until(
        page,
        (s) => s.backend === 'webgpu' && s.step > s1.step + 20,
        'trains on WebGPU again',
      );
      // A lost device (a driver reset, simulated) gives a readable message and the demo moves to the CPU.
      await page.evaluate(() => window.demo!.context()!.device!.destroy());
      await until(page, (s) => s.backend === 'wasm' && s.step > s2.step + 20, 'goes on after device loss');
      expect(await page.textContent('.notice.error')).toMatch(
        /the GPU device was lost .*Switched to the CPU backend/s,
      );
      expect(errors).toEqual([]);
      await page.close();
    });
  }

  it('the kernels demo compares WebGPU with the CPU, or runs on the CPU alone', async () => {
    const page = await env.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${env.base}/index.html`);
    expect(await page.locator('a.card').count()).toBe(LANDING_CARDS.length);
    await page.click('a.card[href*="kernels"]');
    await page.waitForFunction(
      (n) => document.querySelectorAll('#results tbody tr').length >= n,
      webgpu ? 2 : 1,
      {
        timeout: 60_000,
      },
    );
    const cells = await page.$$eval('#results tbody tr td:nth-child(3)', (tds) =>
      tds.map((t) => t.textContent),
    );
    expect(cells).toContain('wasm');
    if (webgpu) expect(cells).toContain('webgpu');
    await page.screenshot({ path: `test-results/demo-kernels-${mode}.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
