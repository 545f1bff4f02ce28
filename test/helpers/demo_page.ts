// Driving a built demo page in headless Chromium: serve dist-demos, open a demo and wait for
// window.demo.ready, read window.demo.state(), wait for a condition on it, count a canvas's colours.
import { existsSync, mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';
import { expect } from 'vitest';

/** What window.demo.state() returns (the shell's fields and the demo's figures). */
export type DemoState = Record<string, unknown> & { backend: string; step: number; loss: number };

/** Serves the built demos (npm run build:demos) on a free port; returns the server and its base URL. */
export async function servePreview(): Promise<{ server: PreviewServer; base: string }> {
  expect(
    existsSync('dist-demos/index.html'),
    'dist-demos is missing: run `npm run build:demos` (npm test does)',
  ).toBe(true);
  const server = await preview({
    logLevel: 'error',
    preview: { host: '127.0.0.1', port: 0, strictPort: false },
  });
  const addr = server.httpServer.address();
  if (!addr || typeof addr === 'string') throw new Error('the preview server has no port');
  mkdirSync('test-results', { recursive: true });
  return { server, base: `http://127.0.0.1:${addr.port}` };
}

/** Opens a demo page, collecting page errors and console errors into `errors`, and waits until it is ready. */
export async function openDemo(browser: Browser, url: string, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 950 } });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  await page.waitForFunction(() => window.demo !== undefined, null, { timeout: 60_000 });
  await page.evaluate(() => window.demo!.ready);
  return page;
}

/** window.demo.state() of the page. */
export const demoState = (page: Page) => page.evaluate(() => window.demo!.state()) as Promise<DemoState>;

/** Waits until the demo's state satisfies `ok` (polling), or fails with the last state. */
export async function until(
  page: Page,
  ok: (s: DemoState) => boolean,
  what: string,
  timeoutMs = 45_000,
): Promise<DemoState> {
  const t0 = Date.now();
  let s = await demoState(page);
  while (!ok(s)) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: timed out; last state ${JSON.stringify(s)}`);
    await page.waitForTimeout(100);
    s = await demoState(page);
  }
  return s;
}

/** Counts distinct colours in a 2-D canvas (every 7th pixel): a blank canvas has one. */
export async function canvasColours(page: Page, selector: string): Promise<number> {
  return page.$eval(selector, (c) => {
    const canvas = c as HTMLCanvasElement;
    const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < d.length; i += 4 * 7) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return seen.size;
  });
}
