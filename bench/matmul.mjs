// First timing of matmul on both backends in Node (Dawn through the `webgpu` package), from the built
// package. Each kernel variant is checked against the CPU result before it is timed.
// Run: npm run bench:matmul   (builds first; prints a Markdown table)
import { createContext } from '../dist/gradbox.js';

const SIZES = (process.env.SIZES ?? '256,512').split(',').map(Number);
const REPS = Number(process.env.REPS ?? 5);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function time(gb, f, reps) {
  const warm = f();
  await gb.sync();
  warm.dispose();
  const ms = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const y = f();
    await gb.sync();
    ms.push(performance.now() - t0);
    y.dispose();
  }
  return { median: median(ms), min: Math.min(...ms), max: Math.max(...ms) };
}

function maxRelErr(a, b) {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  return worst;
}

const cpu = await createContext({ backend: 'cpu' });
const gpu = await createContext({ backend: 'webgpu' });
const info = gpu.engine.runner.info;
console.log(`adapter: ${info.vendor} / ${info.architecture} / ${info.description}; Node ${process.version}`);
console.log(`\n| n | backend | kernel | median ms | min..max ms | GFLOP/s | max rel. error vs CPU |`);
console.log('|---|---|---|---|---|---|---|');
for (const n of SIZES) {
  const flops = 2 * n ** 3;
  const a = cpu.rand([n, n], { seed: 1 });
  const b = cpu.rand([n, n], { seed: 2 });
  const ref = await cpu.tidy(() => a.matmul(b)).data();
  const t = await time(cpu, () => a.matmul(b), Math.max(1, Math.min(REPS, n >= 1024 ? 1 : REPS)));
  const row = (backend, kernel, t, err) =>
    console.log(
      `| ${n} | ${backend} | ${kernel} | ${t.median.toFixed(1)} | ${t.min.toFixed(1)}..${t.max.toFixed(1)} | ` +
        `${(flops / t.median / 1e6).toFixed(2)} | ${err} |`,
    );
  row('cpu', 'i-k-j loop', t, '(reference)');
  const ga = gpu.rand([n, n], { seed: 1 });
  const gb_ = gpu.rand([n, n], { seed: 2 });
  for (const variant of ['naive', 'blocked', 'tiled', 'tiled_vec4']) {
    gpu.engine.variants.matmul = variant;
    const out = gpu.tidy(() => ga.matmul(gb_));
    const err = maxRelErr(await out.data(), ref);
    out.dispose();
    if (err > 1e-4) throw new Error(`matmul ${variant} n=${n}: wrong result (max rel. error ${err})`);
    row('webgpu', variant, await time(gpu, () => ga.matmul(gb_), REPS), err.toExponential(1));
  }
  gpu.engine.variants.matmul = 'auto';
  for (const t of [a, b, ga, gb_]) t.dispose();
}
cpu.dispose();
gpu.dispose();
