// `npm run bench`: builds the pages, serves them, runs bench/index.html in headless Chromium with WebGPU,
// and writes bench/results/<date>-<adapter>.json, a Markdown table (.md), an HTML report (.html) and a
// PNG of it. Options: --quick (the reduced set, under a minute here), --suites=a,b, --node-suites (the
// same suites in Node through the webgpu package), --node FILE (run a Node script such as
// bench/matmul.mjs under the same WebGPU set-up).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { preview } from 'vite';
import { findChromium, webgpuEnv } from './env.mjs';
import { markdown, reportHtml } from './bench-report.mjs';

const args = process.argv.slice(2);

/** Writes the .md and .html reports of a result and a PNG of the HTML report's charts; returns the Markdown. */
async function writeReports(stem, result, browser = null) {
  const md = markdown(result);
  writeFileSync(`${stem}.md`, md);
  writeFileSync(`${stem}.html`, reportHtml(result));
  const b =
    browser ??
    (await chromium.launch({ executablePath: findChromium(), args: ['--headless=new', '--no-sandbox'] }));
  const report = await b.newPage({ viewport: { width: 1100, height: 800 } });
  await report.goto(pathToFileURL(resolve(`${stem}.html`)).href);
  await report.locator('#charts').screenshot({ path: `${stem}.png` });
  await report.close();
  if (!browser) await b.close();
  return md;
}
const executablePath = findChromium();
const nodeFile = args.includes('--node') ? args[args.indexOf('--node') + 1] : null;
if (nodeFile) {
  const r = spawnSync(process.execPath, [nodeFile], { stdio: 'inherit', env: webgpuEnv(executablePath) });
  process.exit(r.status ?? 1);
}
const quick = args.includes('--quick');
const outDir = args.includes('--out') ? args[args.indexOf('--out') + 1] : 'bench/results';
if (args.includes('--report')) {
  // Rebuild the Markdown, HTML and PNG of a saved result: node scripts/bench.mjs --report FILE.json
  const file = args[args.indexOf('--report') + 1];
  const result = JSON.parse(readFileSync(file, 'utf8'));
  await writeReports(file.replace(/\.json$/, ''), result);
  process.exit(0);
}
if (args.includes('--node-suites')) {
  // The same suites in Node: a Vite SSR build of bench/node.ts, run with the WebGPU environment.
  const b = spawnSync(
    'npx',
    ['vite', 'build', '--logLevel', 'error', '--ssr', 'bench/node.ts', '--outDir', 'dist-bench-node'],
    { stdio: 'inherit' },
  );
  if (b.status !== 0) process.exit(b.status ?? 1);
  const r = spawnSync(process.execPath, ['dist-bench-node/node.js', ...(quick ? ['--quick'] : [])], {
    stdio: 'inherit',
    env: webgpuEnv(executablePath),
  });
  process.exit(r.status ?? 1);
}
const suites = args.find((a) => a.startsWith('--suites='))?.slice('--suites='.length);

console.log('gradbox bench: building the pages ...');
// Its own output folder, so a bench run never races the demo tests over dist-demos.
const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'error', '--outDir', 'dist-bench'], {
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

const server = await preview({
  logLevel: 'error',
  build: { outDir: 'dist-bench' },
  preview: { host: '127.0.0.1', port: 0 },
});
const { port } = server.httpServer.address();
const browser = await chromium.launch({
  executablePath,
  args: [
    '--headless=new',
    '--no-sandbox',
    '--enable-unsafe-webgpu',
    // Full-resolution timestamp queries (otherwise quantised to 100 µs).
    '--enable-webgpu-developer-features',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--no-first-run',
  ],
});
let code = 0;
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  // A CPU peer may keep the page's thread busy for tens of seconds: no timeouts on talking to the page.
  page.setDefaultTimeout(0);
  page.on('pageerror', (e) => console.error('page error:', e.message));
  let printed = 0;
  const query = [quick ? 'quick' : '', suites ? `suites=${suites}` : ''].filter(Boolean).join('&');
  await page.goto(`http://127.0.0.1:${port}/bench/index.html${query ? `?${query}` : ''}`);
  // Echo the page's progress while waiting.
  for (;;) {
    const text = (await page.textContent('#out')) ?? '';
    const lines = text.split('\n').filter(Boolean);
    for (const l of lines.slice(printed)) console.log(`  ${l}`);
    printed = lines.length;
    if (await page.evaluate(() => window.__bench !== undefined)) break;
    await page.waitForTimeout(1000);
  }
  const bench = await page.evaluate(() => window.__bench);
  const result = { date: new Date().toISOString(), browser: `Chromium ${browser.version()}`, ...bench };
  const adapterName = bench.adapter
    ? `${bench.adapter.vendor}-${bench.adapter.architecture}`.replace(/[^\w-]+/g, '')
    : 'no-webgpu';
  const stem = `${outDir}/${result.date.slice(0, 10)}-${adapterName}${quick ? '-quick' : ''}`;
  mkdirSync(outDir, { recursive: true });
  writeFileSync(`${stem}.json`, `${JSON.stringify(result, null, 2)}\n`);
  const md = await writeReports(stem, result, browser);
  console.log(`\n${md}\nwrote ${stem}.{json,md,html,png} in ${bench.seconds.toFixed(0)} s`);
  if (bench.errors.length) {
    console.error(`\n${bench.errors.length} error(s):\n${bench.errors.join('\n')}`);
    code = 1;
  }
  // A wrong gradbox result fails the run; a peer's wrong result is a finding about that peer (reported in
  // the table and here, not timed), since its accuracy is not ours to fix.
  const wrong = bench.rows.filter((r) => r.check?.startsWith('WRONG'));
  const ours = wrong.filter((r) => r.library === 'gradbox');
  if (ours.length) {
    console.error('\nsome gradbox results were wrong (see the table)');
    code = 1;
  }
  for (const r of wrong.filter((r) => r.library !== 'gradbox'))
    console.log(`peer result failed its check (not timed): ${r.case}, ${r.library} ${r.backend}: ${r.check}`);
} finally {
  await browser.close();
  await server.close();
}
process.exit(code);
