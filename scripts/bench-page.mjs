// Runs a benchmark page in headless Chromium with WebGPU (scripts/env.mjs finds the browser), waits for
// window.__bench, saves the JSON under bench/results/ and prints a Markdown table.
// Usage: node scripts/bench-page.mjs bench/train/index.html [query]
import { mkdirSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { findChromium } from './env.mjs';

const [page = 'bench/train/index.html', query = ''] = process.argv.slice(2);
const executablePath = findChromium();
const server = await createServer({
  configFile: false,
  root: process.cwd(),
  logLevel: 'error',
  server: { host: '127.0.0.1', port: 0 },
});
await server.listen();
const { port } = server.httpServer.address();
const browser = await chromium.launch({
  executablePath,
  args: [
    '--headless=new',
    '--no-sandbox',
    '--enable-unsafe-webgpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--no-first-run',
  ],
});
try {
  const p = await browser.newPage();
  p.on('pageerror', (e) => console.error('page error:', e.message));
  await p.goto(`http://127.0.0.1:${port}/${page}${query ? `?${query}` : ''}`);
  await p.waitForFunction(() => window.__bench !== undefined, null, { timeout: 30 * 60_000, polling: 1000 });
  const bench = await p.evaluate(() => window.__bench);
  const adapter = await p.evaluate(async () => {
    const a = await navigator.gpu?.requestAdapter();
    return a
      ? { vendor: a.info.vendor, architecture: a.info.architecture, description: a.info.description }
      : null;
  });
  const result = {
    date: new Date().toISOString(),
    page,
    browser: `Chromium ${browser.version()}`,
    adapter,
    ...bench,
  };
  mkdirSync('bench/results', { recursive: true });
  const name = `bench/results/${result.date.slice(0, 10)}-${page.split('/')[1]}-${adapter?.architecture || 'no-webgpu'}.json`;
  writeFileSync(name, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`${result.browser}; adapter: ${JSON.stringify(adapter)}; saved ${name}\n`);
  console.log(
    '| workload | library | backend | steps/s | dispatches/step | submits/step | loss first -> last |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const r of bench.rows) {
    const f = (v) => (v === null || v === undefined ? '-' : Number(v).toFixed(v < 10 ? 2 : 1));
    console.log(
      `| ${r.workload} | ${r.library} | ${r.backend} | ${f(r.stepsPerSec)} | ${f(r.dispatchesPerStep)} | ${f(r.submitsPerStep)} | ${r.firstLoss.toFixed(3)} -> ${r.lastLoss.toFixed(3)} |`,
    );
  }
  for (const e of bench.errors) console.log(`\nerror: ${e}`);
} finally {
  await browser.close();
  await server.close();
}
