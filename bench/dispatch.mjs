// Host cost per dispatch on WebGPU: dispatches per second of tiny ops and steps per second of a tiny
// training step, where the kernels do almost nothing and the runner's own work is what gets timed.
// Run: npm run build && node scripts/bench.mjs --node bench/dispatch.mjs
// Compare builds in one run, interleaved to cancel the noise of a shared machine (medians of ROUNDS):
//   BUILDS=/tmp/gb-before/gradbox.js,dist/gradbox.js node scripts/bench.mjs --node bench/dispatch.mjs
// Each measurement runs in a fresh child process, so every build gets its own Dawn instance.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const OPS = Number(process.env.OPS ?? 2000);
const STEPS = Number(process.env.STEPS ?? 100);
const REPS = Number(process.env.REPS ?? 5);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Nanoseconds the main thread has spent on a CPU (Linux schedstat; null elsewhere). Unlike wall time it
 * leaves out waiting for the device and time taken by other processes on a busy machine: it is the host
 * cost itself (JS and the WebGPU implementation's validation and encoding on this thread).
 */
function threadCpuNs() {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return null;
  }
}

/** One measurement in this process: prints one JSON line of medians over REPS repetitions. */
async function child(build) {
  const { createContext, nn, optim } = await import(pathToFileURL(resolve(build)).href);
  const gb = await createContext({ backend: 'webgpu' });
  if (gb.backend !== 'webgpu') throw new Error(`no WebGPU here: ${gb.backendReason}`);

  // (a) tiny ops: OPS x a.add(b) on 16 elements, each result disposed, one sync at the end.
  const a = gb.rand([16], { seed: 1 });
  const b = gb.rand([16], { seed: 2 });
  const tiny = async () => {
    const d0 = gb.stats().dispatches;
    const t0 = performance.now();
    const c0 = threadCpuNs();
    for (let i = 0; i < OPS; i++) a.add(b).dispose();
    const c1 = threadCpuNs();
    const t1 = performance.now();
    await gb.sync();
    const t2 = performance.now();
    const n = gb.stats().dispatches - d0;
    const cpuUs = c0 === null ? null : (c1 - c0) / 1e3 / n;
    return { perSec: (n * 1000) / (t2 - t0), encodePerSec: (n * 1000) / (t1 - t0), cpuUs, n };
  };
  await tiny(); // warm-up: pipelines, pooled buffers
  const tinyRuns = [];
  for (let r = 0; r < REPS; r++) tinyRuns.push(await tiny());

  // (a') the runner alone: the same dispatch replayed through runner.dispatch (internal API), without
  // the tensor, autodiff and kernel-planning work above it. The dispatch is captured from a.add(b).
  const runner = gb.engine.runner;
  let captured = null;
  runner.dispatch = function (d) {
    captured = d;
    return Object.getPrototypeOf(this).dispatch.call(this, d);
  };
  a.add(b).dispose();
  delete runner.dispatch;
  const runnerOnly = async () => {
    const [x0, x1] = captured.buffers;
    const c0 = threadCpuNs();
    for (let i = 0; i < OPS; i++) {
      const out = runner.alloc(16);
      runner.dispatch({ ...captured, buffers: [x0, x1, out] });
      runner.free(out);
    }
    const c1 = threadCpuNs();
    await gb.sync();
    return c0 === null ? null : (c1 - c0) / 1e3 / OPS;
  };
  await runnerOnly();
  const runnerCpu = [];
  for (let r = 0; r < REPS; r++) runnerCpu.push(await runnerOnly());
  a.dispose();
  b.dispose();

  // (b) a small training step: MLP 2-16-16-1, SGD, MSE, a full batch of 64; one submit per step.
  const x = gb.rand([64, 2], { seed: 3, low: -1, high: 1 });
  const y = x.sum(1, true).tanh();
  const model = new nn.MLP(gb, { sizes: [2, 16, 16, 1], activation: 'tanh', seed: 1 });
  const opt = optim.sgd(gb, model.parameters(), { lr: 0.1 });
  const trainer = new optim.Trainer({ model, optimizer: opt, loss: nn.mse, x, y, batchSize: 64 });
  // Steps per second as a user sees them: Trainer.run, one submit per step, one readback at the end.
  const train = async () => {
    const d0 = gb.stats().dispatches;
    const t0 = performance.now();
    const { losses } = await trainer.run(STEPS);
    const sec = (performance.now() - t0) / 1000;
    return {
      perSec: STEPS / sec,
      dispatchesPerStep: (gb.stats().dispatches - d0) / STEPS,
      loss: losses.at(-1),
    };
  };
  // The host's share of a step: the same steps queued (and submitted) without waiting for the device.
  const queueSteps = async () => {
    const c0 = threadCpuNs();
    for (let i = 0; i < STEPS; i++) {
      opt.step(() => nn.mse(model.forward(x), y)).dispose();
      gb.flush();
    }
    const c1 = threadCpuNs();
    await gb.sync();
    return c0 === null ? null : (c1 - c0) / 1e3 / STEPS;
  };
  await train();
  await queueSteps();
  const trainRuns = [];
  const stepCpu = [];
  for (let r = 0; r < REPS; r++) {
    trainRuns.push(await train());
    stepCpu.push(await queueSteps());
  }
  const stats = gb.engine.runner.stats;
  gb.dispose();
  console.log(
    JSON.stringify({
      tinyPerSec: median(tinyRuns.map((t) => t.perSec)),
      tinyEncodePerSec: median(tinyRuns.map((t) => t.encodePerSec)),
      tinyCpuUs: tinyRuns[0].cpuUs === null ? null : median(tinyRuns.map((t) => t.cpuUs)),
      tinyDispatches: tinyRuns[0].n,
      runnerCpuUs: runnerCpu[0] === null ? null : median(runnerCpu),
      stepsPerSec: median(trainRuns.map((t) => t.perSec)),
      stepCpuUs: stepCpu[0] === null ? null : median(stepCpu),
      dispatchesPerStep: trainRuns[0].dispatchesPerStep,
      lastLoss: trainRuns.at(-1).loss,
      stats,
    }),
  );
}

/** Runs every build ROUNDS times, alternating their order each round, and prints medians per build. */
function parent() {
  const builds = (process.env.BUILDS ?? 'dist/gradbox.js').split(',');
  const self = fileURLToPath(import.meta.url);
  const results = new Map(builds.map((b) => [b, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? [...builds].reverse() : builds;
    for (const build of order) {
      const r = spawnSync(process.execPath, [self, '--child', build], { encoding: 'utf8' });
      const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
      if (r.status !== 0 || !line) {
        throw new Error(`bench child for ${build} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
      }
      const m = JSON.parse(line);
      results.get(build).push(m);
      console.error(
        `round ${round + 1}/${ROUNDS} ${build}: ${m.tinyPerSec.toFixed(0)} dispatches/s ` +
          `(encode ${m.tinyEncodePerSec.toFixed(0)}/s, ${m.tinyCpuUs?.toFixed(1)} µs main-thread CPU each), ` +
          `${m.stepsPerSec.toFixed(1)} steps/s (${m.stepCpuUs?.toFixed(0)} µs CPU each)`,
      );
    }
  }
  console.log(`\nops=${OPS} steps=${STEPS} reps=${REPS} rounds=${ROUNDS}; medians over rounds (min..max)`);
  const columns = [
    ['tiny ops: dispatches/s', (m) => m.tinyPerSec, 0],
    ['encode only: dispatches/s', (m) => m.tinyEncodePerSec, 0],
    ['main-thread CPU µs/dispatch', (m) => m.tinyCpuUs, 2],
    ['runner.dispatch alone: CPU µs', (m) => m.runnerCpuUs, 2],
    ['training: steps/s', (m) => m.stepsPerSec, 1],
    ['main-thread CPU µs/step queued', (m) => m.stepCpuUs, 0],
  ];
  console.log(`| build | ${columns.map((c) => c[0]).join(' | ')} | dispatches/step |`);
  console.log(`|---|${columns.map(() => '---|').join('')}---|`);
  const cell = (xs, digits) =>
    xs.some((x) => x === null)
      ? 'n/a'
      : `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}..${Math.max(...xs).toFixed(digits)})`;
  for (const [build, ms] of results) {
    const cells = columns.map(([, f, digits]) => cell(ms.map(f), digits));
    console.log(`| ${build} | ${cells.join(' | ')} | ${ms[0].dispatchesPerStep} |`);
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]);
else parent();
