// The same kernels, run for real inside headless Chromium: once with WebGPU (SwiftShader here) and
// once without it, where 'auto' must fall back to the CPU and still pass every check.
import type { Browser } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, startServer } from './helpers/chromium';

let server: ViteDevServer;
let base: string;
beforeAll(async () => {
  ({ server, url: base } = await startServer());
});
afterAll(async () => {
  await server?.close();
});

async function runPage(browser: Browser, backend: string) {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`${base}/test/browser/index.html?backend=${backend}`);
  await page.waitForFunction(() => window.__gradboxResults !== undefined, null, { timeout: 120_000 });
  const results = await page.evaluate(() => window.__gradboxResults!);
  await page.close();
  return { results, errors };
}

describe('in headless Chromium', () => {
  it('with WebGPU enabled, the kernels run on WebGPU and pass', async () => {
    const browser = await launch(true);
    try {
      const { results, errors } = await runPage(browser, 'webgpu');
      expect(results.failures).toEqual([]);
      expect(results.backend).toBe('webgpu');
      expect(results.passed).toBeGreaterThanOrEqual(6);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it("without WebGPU, 'auto' falls back to the CPU and passes the same checks", async () => {
    const browser = await launch(false);
    try {
      const { results, errors } = await runPage(browser, 'auto');
      expect(results.failures).toEqual([]);
      expect(results.backend).toBe('wasm');
      expect(results.reason).toMatch(/no WebGPU/);
      // The test server sends COOP/COEP: shared memory, so the wasm backend runs on every core (2 or more here).
      expect(results.description).toMatch(/\b([2-9]|1\d) threads/);
      // Chromium has relaxed SIMD: the page ran the multiply-add kernels.
      expect(results.description).toMatch(/relaxed-SIMD multiply-add/);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it("the TypeScript backend ('js') passes the same checks", async () => {
    const browser = await launch(false);
    try {
      const { results, errors } = await runPage(browser, 'js');
      expect(results.failures).toEqual([]);
      expect(results.backend).toBe('js');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
