// Smoke test of the demo pages in headless Chromium: they load without console or GPU errors, compute on
// WebGPU (and on the CPU when WebGPU is absent), and render; a screenshot of each goes to test-results/.
import { mkdirSync } from 'node:fs';
import type { ViteDevServer } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launch, startServer } from './helpers/chromium';

let server: ViteDevServer;
let base: string;
beforeAll(async () => {
  ({ server, url: base } = await startServer());
  mkdirSync('test-results', { recursive: true });
});
afterAll(async () => {
  await server?.close();
});

for (const webgpu of [true, false]) {
  it(`the kernels demo runs ${webgpu ? 'on WebGPU and the CPU' : 'on the CPU alone without WebGPU'}`, async () => {
    const browser = await launch(webgpu);
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(`${base}/index.html`);
      await page.click('a.card[href*="kernels"]');
      await page.waitForSelector('#results tbody tr', { timeout: 60_000 });
      const want = webgpu ? 2 : 1;
      await page.waitForFunction((n) => document.querySelectorAll('#results tbody tr').length >= n, want);
      const cells = await page.$$eval('#results tbody tr td:nth-child(3)', (tds) =>
        tds.map((t) => t.textContent),
      );
      expect(cells).toContain('cpu');
      if (webgpu) expect(cells).toContain('webgpu');
      else expect(await page.textContent('#backend-note')).toMatch(/WebGPU is not available/);
      expect(await page.textContent('#wgsl')).toContain('fn matmul_tiled');
      await page.screenshot({
        path: `test-results/demo-kernels-${webgpu ? 'webgpu' : 'cpu'}.png`,
        fullPage: true,
      });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
}
