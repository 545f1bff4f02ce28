// The built demos (npm run build:demos) driven in headless Chromium, once with WebGPU (SwiftShader here)
// and once without it: they load without errors, train until the loss halves (the spiral to 90%
// accuracy), survive a backend switch, reproduce a state from the URL, replay a reset exactly, answer
// bad input with a message and a default, and leave a non-blank screenshot in test-results/.
import { existsSync, mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch } from './helpers/chromium';

let server: PreviewServer;
let base: string;
beforeAll(async () => {
  expect(
    existsSync('dist-demos/index.html'),
    'dist-demos is missing: run `npm run build:demos` (npm test does)',
  ).toBe(true);
  server = await preview({ logLevel: 'error', preview: { host: '127.0.0.1', port: 0, strictPort: false } });
  const addr = server.httpServer.address();
  if (!addr || typeof addr === 'string') throw new Error('the preview server has no port');
  base = `http://127.0.0.1:${addr.port}`;
  mkdirSync('test-results', { recursive: true });
});
afterAll(async () => {
  await server?.close();
});

type State = Record<string, unknown> & { backend: string; step: number; loss: number };

async function open(browser: Browser, path: string, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 950 } });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(`${base}/${path}`);
  await page.waitForFunction(() => window.demo !== undefined, null, { timeout: 60_000 });
  await page.evaluate(() => window.demo!.ready);
  return page;
}

const state = (page: Page) => page.evaluate(() => window.demo!.state()) as Promise<State>;

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

/** Waits until the demo's state satisfies `ok` (polling), or fails with the last state. */
async function until(
  page: Page,
  ok: (s: State) => boolean,
  what: string,
  timeoutMs = 45_000,
): Promise<State> {
  const t0 = Date.now();
  let s = await state(page);
  while (!ok(s)) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: timed out; last state ${JSON.stringify(s)}`);
    await page.waitForTimeout(250);
    s = await state(page);
  }
  return s;
}

/** Counts distinct colours in a canvas: a blank canvas has one. */
async function colours(page: Page, selector: string): Promise<number> {
  return page.$eval(selector, (c) => {
    const canvas = c as HTMLCanvasElement;
    const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < d.length; i += 4 * 7) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return seen.size;
  });
}

const SPIRAL =
  'demos/playground/index.html?dataset=spiral&hidden=16,16&x1sq=true&x2sq=true&x1x2=true&sinx1=true&sinx2=true' +
  '&optimizer=adam&lr=0.03&batchSize=64&stepsPerFrame=10&seed=3';

for (const webgpu of [true, false]) {
  const mode = webgpu ? 'webgpu' : 'cpu';
  describe(`demos in headless Chromium ${webgpu ? 'with WebGPU' : 'without WebGPU'}`, () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launch(webgpu);
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('linear regression: loads, the loss halves, GD meets the closed form; screenshot', async () => {
      const errors: string[] = [];
      const page = await open(browser, 'demos/linear-regression/index.html', errors);
      const s0 = await startingLoss(page);
      expect(s0.step).toBe(1);
      expect(s0.backend).toBe(mode);
      if (!webgpu) expect(await page.textContent('#notice')).toMatch(/WebGPU is not available here/);
      const s1 = await until(page, (s) => s.loss <= s0.loss / 2, 'loss halves');
      const s2 = await until(
        page,
        (s) => Math.abs(Number(s.w) - Number(s.closedFormW)) < 0.01,
        'reaches the closed form',
      );
      expect(s2.step).toBeGreaterThan(s1.step - 1);
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
      const page = await open(browser, SPIRAL, errors);
      const s0 = await startingLoss(page);
      expect(s0.backend).toBe(mode);
      await until(page, (s) => s.loss <= s0.loss / 2, 'loss halves');
      const s = await until(page, (st) => Number(st.trainAccuracy) >= 0.9, 'spiral accuracy >= 90%');
      expect(Number(s.trainAccuracy)).toBeGreaterThanOrEqual(0.9);
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
        browser,
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
      const page = await open(
        browser,
        'demos/playground/index.html?n=-5&dataset=nope&hidden=999&lr=abc',
        errors,
      );
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
        const page = await open(browser, SPIRAL, errors);
        const s0 = await until(page, (s) => s.step >= 100, 'trains a while on WebGPU');
        expect(s0.backend).toBe('webgpu');
        await page.evaluate(() => window.demo!.control.setBackend('cpu'));
        const s1 = await until(
          page,
          (s) => s.backend === 'cpu' && s.step > s0.step + 20,
          'trains on the CPU',
        );
        // The weights came along: the loss did not jump back to where training started.
        expect(s1.loss).toBeLessThan(0.6);
        await page.evaluate(() => window.demo!.control.setBackend('webgpu'));
        const s2 = await until(
          page,
          (s) => s.backend === 'webgpu' && s.step > s1.step + 20,
          'trains on WebGPU again',
        );
        // A lost device (a driver reset, simulated) gives a readable message and the demo moves to the CPU.
        await page.evaluate(() => window.demo!.context()!.device!.destroy());
        await until(page, (s) => s.backend === 'cpu' && s.step > s2.step + 20, 'goes on after device loss');
        expect(await page.textContent('.notice.error')).toMatch(
          /the GPU device was lost .*Switched to the CPU backend/s,
        );
        expect(errors).toEqual([]);
        await page.close();
      });
    }

    it('the kernels demo compares WebGPU with the CPU, or runs on the CPU alone', async () => {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${base}/index.html`);
      expect(await page.locator('a.card').count()).toBe(3);
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
      expect(cells).toContain('cpu');
      if (webgpu) expect(cells).toContain('webgpu');
      await page.screenshot({ path: `test-results/demo-kernels-${mode}.png`, fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    });
  });
}
