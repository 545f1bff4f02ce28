// First timing of matmul on both backends in Node (Dawn through the `webgpu` package), from the built
// package. Each kernel variant is checked against the CPU result before it is timed, on A @ B and on the
// transposed plans that gradient rules pass (A^T @ B and A @ B^T read through strides, no copy).
// Run: npm run bench:matmul   (builds first; prints a Markdown table). Defaults: SIZES=256,512 REPS=5
// PLANS=A@B,A^T@B,A@B^T VARIANTS=naive,blocked,tiled,tiled_vec4.
import { createContext } from '../dist/gradbox.js';

const SIZES = (process.env.SIZES ?? '256,512').split(',').map(Number);
const REPS = Number(process.env.REPS ?? 5);
const PLANS = (process.env.PLANS ?? 'A@B,A^T@B,A@B^T').split(',');
const VARIANTS = (process.env.VARIANTS ?? 'naive,blocked,tiled,tiled_vec4').split(',');

/** The engine-level plan of an n x n x n product; a transposed operand is read with row stride 1. */
function planOf(name, n) {
  const plain = { batch: 0, row: n, col: 1 };
  const transposed = { batch: 0, row: 1, col: n };
  return {
    batch: 1,
    M: n,
    K: n,
    N: n,
    a: name.includes('A^T') ? transposed : plain,
    b: name.includes('B^T') ? transposed : plain,
  };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Times `run` (which queues work and returns its output storage) to completion; the output is freed. */
async function time(gb, run, reps) {
  gb.engine.free(run());
  await gb.sync();
  const ms = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const out = run();
    await gb.sync();
    ms.push(performance.now() - t0);
    gb.engine.free(out);
  }
  return { median: median(ms), min: Math.min(...ms), max: Math.max(...ms) };
}

function maxRelErr(a, b) {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  return worst;
}

const cpu = await createContext({ backend: 'js' }); // the TypeScript reference: the i-k-j loop
const gpu = await createContext({ backend: 'webgpu' });
const info = gpu.engine.runner.info;
console.log(`adapter: ${info.vendor} / ${info.architecture} / ${info.description}; Node ${process.version}`);
console.log(`\n| n | plan | backend | kernel | median ms | min..max ms | GFLOP/s | max rel. error vs CPU |`);
console.log('|---|---|---|---|---|---|---|---|');
for (const n of SIZES) {
  const flops = 2 * n ** 3;
  const row = (plan, backend, kernel, t, err) =>
    console.log(
      `| ${n} | ${plan} | ${backend} | ${kernel} | ${t.median.toFixed(1)} | ${t.min.toFixed(1)}..${t.max.toFixed(1)} | ` +
        `${(flops / t.median / 1e6).toFixed(2)} | ${err} |`,
    );
  const data = async (seed) => {
    const t = cpu.rand([n, n], { seed });
    const d = await t.data();
    t.dispose();
    return d;
  };
  const [a, b] = [await data(1), await data(2)];
  const [ca, cb, ga, gb_] = [
    cpu.engine.upload(a),
    cpu.engine.upload(b),
    gpu.engine.upload(a),
    gpu.engine.upload(b),
  ];
  for (const name of PLANS) {
    const plan = planOf(name, n);
    const refStorage = cpu.engine.matmul(ca, cb, plan);
    const ref = await cpu.engine.read(refStorage);
    cpu.engine.free(refStorage);
    const reps = Math.max(1, Math.min(REPS, n >= 1024 ? 1 : REPS));
    row(
      name,
      'js',
      'i-k-j loop',
      await time(cpu, () => cpu.engine.matmul(ca, cb, plan), reps),
      '(reference)',
    );
    for (const variant of VARIANTS) {
      gpu.engine.variants.matmul = variant;
      let out;
      try {
        out = gpu.engine.matmul(ga, gb_, plan);
      } catch (e) {
        // A forced rung refuses a plan it cannot run (tiled_vec4 needs multiples of 4): say so, time nothing.
        console.log(
          `| ${n} | ${name} | webgpu | ${variant} | - | - | - | refused: ${e.message.split(';')[0]} |`,
        );
        continue;
      }
      const err = maxRelErr(await gpu.engine.read(out), ref);
      gpu.engine.free(out);
      if (err > 1e-4)
        throw new Error(`matmul ${variant} ${name} n=${n}: wrong result (max rel. error ${err})`);
      row(
        name,
        'webgpu',
        variant,
        await time(gpu, () => gpu.engine.matmul(ga, gb_, plan), REPS),
        err.toExponential(1),
      );
    }
    gpu.engine.variants.matmul = 'auto';
  }
  cpu.engine.free(ca);
  cpu.engine.free(cb);
  gpu.engine.free(ga);
  gpu.engine.free(gb_);
}
cpu.dispose();
gpu.dispose();
