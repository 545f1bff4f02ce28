// The built package (npm run build) imports in plain Node, without Vite, with its WGSL inlined, runs the
// README's quickstart on both backends and lets the process exit. npm test builds before it runs this.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

const script = `
import { createContext } from './dist/gradbox.js';
const out = {};
for (const backend of ['js', 'wasm', 'webgpu']) {
  const gb = await createContext({ backend });
  const a = gb.tensor([[1, 2], [3, 4]]);
  const b = gb.tensor(new Float32Array([1, 0, 0, 0, 1, 0]), [2, 3]);
  const c = a.matmul(b).add(1).relu().sum(1);
  out[backend] = { backend: gb.backend, data: Array.from(await c.data()), nested: await c.toArray() };
  c.dispose();
  gb.dispose();
}
// A second WebGPU context right after the first is disposed, with a new pipeline (this once crashed Dawn
// when each context made its own GPU instance).
for (let i = 0; i < 2; i++) {
  const gb = await createContext({ backend: 'webgpu' });
  const a = gb.ones([64, 64]);
  out['matmul' + i] = (await a.matmul(a).data())[0];
  gb.dispose();
}
console.log(JSON.stringify(out));
`;

it('dist/gradbox.js runs the quickstart in plain Node and exits', () => {
  expect(
    existsSync('dist/gradbox.js'),
    'dist/gradbox.js is missing: run `npm run build` (npm test does)',
  ).toBe(true);
  expect(readFileSync('dist/gradbox.js', 'utf8')).toContain('fn matmul_tiled');
  expect(existsSync('dist/types/index.d.ts')).toBe(true);
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  for (const backend of ['js', 'wasm', 'webgpu']) {
    expect(out[backend]).toEqual({ backend, data: [6, 10], nested: [6, 10] });
  }
  expect([out.matmul0, out.matmul1]).toEqual([64, 64]);
});
