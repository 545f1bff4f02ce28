// What the demo tests share: a preview server over the built demos (dist-demos) and headless Chromium with and
// without WebGPU around a file's tests, opening a demo page and waiting for window.demo, reading its state,
// polling it, and counting a canvas's colours.
import { existsSync, mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { launch } from './chromium';

/** window.demo.state() as the tests read it. */
export type State = Record<string, unknown> & { backend: string; step: number; loss: number };

/** A preview server over dist-demos on a free port; `base` is its address. */
export interface DemoServer {
  base: string;
  close(): Promise<void>;
}

/** Starts the preview server (call in beforeAll); fails with what to run when the demos are not built. */
export async function serveDemos(): Promise<DemoServer> {
  expect(
    existsSync('dist-demos/index.html'),
    'dist-demos is missing: run `npm run build:demos` (npm test does)',
  ).toBe(true);
  const server: PreviewServer = await preview({
    logLevel: 'error',
    preview: { host: '127.0.0.1', port: 0, strictPort: false },
  });
  const addr = server.httpServer.address();
  if (!addr || typeof addr === 'string') throw new Error('the preview server has no port');
  mkdirSync('test-results', { recursive: true });
  return { base: `http://127.0.0.1:${addr.port}`, close: () => server.close() };
}

/**
 * Where one describeDemo block runs: `mode` and `webgpu` are known when the tests are declared (for names and
 * `if (webgpu)` tests); `base` and `browser` exist once the block's beforeAll has run, so read them inside
 * hooks and tests only.
 */
export interface DemoEnv {
  /** The preview server's address, e.g. `http://127.0.0.1:5173`. */
  readonly base: string;
  /** Headless Chromium for this block, with or without WebGPU. */
  readonly browser: Browser;
  /** The backend the demos pick in this browser: WebGPU, or else the fastest CPU backend (WebAssembly SIMD). */
  readonly mode: 'webgpu' | 'wasm';
  /** Whether Chromium was started with WebGPU. */
  readonly webgpu: boolean;
}

/** A value describeDemo's hooks set, or a clear error where a test file reads it while declaring its tests. */
function ready<T>(what: string, value: T | undefined): T {
  if (value === undefined)
    throw new Error(`describeDemo: ${what} is not ready yet; read it in a hook or a test`);
  return value;
}

/**
 * Declares a demo's end-to-end tests twice, in headless Chromium with WebGPU and without it, as describe blocks
 * titled `<name> in headless Chromium with WebGPU` / `without WebGPU`. One preview server over dist-demos serves
 * both (started before the file's tests, closed after); each block launches its own browser in its first
 * beforeAll and closes it after its tests, so `body`'s own hooks run with `env.browser` and `env.base` ready.
 * Call it once per file, at the top level.
 */
export function describeDemo(name: string, body: (env: DemoEnv) => void): void {
  let server: DemoServer | undefined;
  beforeAll(async () => {
    server = await serveDemos();
  });
  afterAll(async () => {
    await server?.close();
  });
  for (const webgpu of [true, false]) {
    let browser: Browser | undefined;
    const env: DemoEnv = {
      get base() {
        return ready('env.base', server?.base);
      },
      get browser() {
        return ready('env.browser', browser);
      },
      mode: webgpu ? 'webgpu' : 'wasm',
      webgpu,
    };
    describe(`${name} in headless Chromium ${webgpu ? 'with WebGPU' : 'without WebGPU'}`, () => {
      beforeAll(async () => {
        browser = await launch(webgpu);
      });
      afterAll(async () => {
        await browser?.close();
      });
      body(env);
    });
  }
}

/** Opens a demo page, collects its errors into `errors`, and waits until window.demo is ready. */
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
export const demoState = (page: Page) => page.evaluate(() => window.demo!.state()) as Promise<State>;

/** Sets one of the demo's params through window.demo.control.set and waits for the demo to take it up. */
export const setParam = (page: Page, key: string, value: string | number | boolean) =>
  page.evaluate(([k, v]) => window.demo!.control.set(k as string, v), [key, value] as const);

/** Waits until the demo's state satisfies `ok` (polling), or fails with the last state. */
export async function until(
  page: Page,
  ok: (s: State) => boolean,
  what: string,
  timeoutMs = 45_000,
): Promise<State> {
  const t0 = Date.now();
  let s = await demoState(page);
  while (!ok(s)) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: timed out; last state ${JSON.stringify(s)}`);
    await page.waitForTimeout(250);
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

/**
 * A landing-page thumbnail made from the demo itself: the page from the top left of `selector`, two by
 * one and 680 px wide (the first panels of a demo), as a JPEG.
 */
export async function thumbnail(page: Page, selector: string, path: string): Promise<void> {
  await page.locator(selector).scrollIntoViewIfNeeded();
  const box = (await page.locator(selector).boundingBox())!;
  await page.screenshot({
    path,
    type: 'jpeg',
    quality: 80,
    clip: { x: box.x, y: box.y, width: 680, height: 340 },
  });
}
