// Smoke test of the benchmark suite: `npm run bench -- --quick` runs every suite in headless Chromium on
// WebGPU, checks every result against float64 before timing it, and writes its four report files into a
// temporary folder (never into the tracked bench/results). How fast it ran is the bench's business, not this test's.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('the quick benchmark runs every suite, every result is right, and the report is written', () => {
  const out = mkdtempSync(join(tmpdir(), 'gradbox-bench-'));
  const r = spawnSync(process.execPath, ['scripts/bench.mjs', '--quick', '--out', out], {
    encoding: 'utf8',
    timeout: 240_000,
  });
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  const stem = r.stdout.match(/wrote ([^\n{]+)\{json,md,html,png\}/)?.[1];
  expect(stem?.startsWith(out), r.stdout).toBe(true);
  for (const ext of ['json', 'md', 'html', 'png']) expect(existsSync(`${stem}${ext}`)).toBe(true);
  const result = JSON.parse(readFileSync(`${stem}json`, 'utf8'));
  expect(result.adapter?.architecture).toBeTruthy();
  expect(result.limits.fmaGflops).toBeGreaterThan(0);
  const suites = new Set(result.rows.map((x: { suite: string }) => x.suite));
  for (const s of ['matmul', 'ladder', 'reductions', 'elementwise', 'linalg', 'stats'])
    expect(suites.has(s)).toBe(true);
  // Every gradbox result is right; a peer's wrong result is reported by the bench, not ours to fail on.
  const wrong = result.rows.filter((x: { check?: string }) => x.check?.startsWith('WRONG'));
  expect(wrong.filter((x: { library: string }) => x.library === 'gradbox')).toEqual([]);
  const measured = result.rows.filter((x: { medianMs?: number }) => x.medianMs !== undefined);
  expect(measured.length).toBeGreaterThan(40);
  expect(result.training.length).toBeGreaterThanOrEqual(2);
  expect(result.calibration.ms).toBeGreaterThan(0);
  expect(readdirSync(out).sort()).toEqual(
    ['json', 'md', 'html', 'png'].map((e) => `${stem!.slice(out.length + 1)}${e}`).sort(),
  );
  rmSync(out, { recursive: true, force: true });
}, 300_000);
