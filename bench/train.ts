// The training suite: steps per second of MLP training (forward, backward, Adam update) for gradbox (WebGPU,
// wasm, js) and tfjs (webgpu, wasm, cpu), on one adapter. Dispatches and submits are counted by wrapping
// the WebGPU entry points, the same way for both libraries.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { createContext, nn, optim } from '../src/index';

interface Workload {
  name: string;
  sizes: number[];
  batch: number;
}
export const WORKLOADS: Workload[] = [
  { name: 'MLP 2-64-64-2, batch 256', sizes: [2, 64, 64, 2], batch: 256 },
  { name: 'MLP 784-256-10, batch 128', sizes: [784, 256, 10], batch: 128 },
];
/** Seconds each measurement aims for, and a cap on steps; set by the page (quick or full). */
export const budget = { seconds: 3, maxSteps: 200 };

const counts = { dispatches: 0, submits: 0 };
export function countGpuWork(): void {
  if (typeof GPUComputePassEncoder === 'undefined') return;
  const d = GPUComputePassEncoder.prototype.dispatchWorkgroups;
  GPUComputePassEncoder.prototype.dispatchWorkgroups = function (...a: Parameters<typeof d>) {
    counts.dispatches++;
    return d.apply(this, a);
  };
  const s = GPUQueue.prototype.submit;
  GPUQueue.prototype.submit = function (...a: Parameters<typeof s>) {
    counts.submits++;
    return s.apply(this, a);
  };
}

function syntheticData(w: Workload): { x: Float32Array; y: Float32Array } {
  let s = 12345;
  const r = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const x = Float32Array.from({ length: w.batch * w.sizes[0] }, r);
  const classes = w.sizes[w.sizes.length - 1];
  const y = Float32Array.from({ length: w.batch }, (_, i) => i % classes);
  return { x, y };
}

export interface TrainRow {
  library: string;
  backend: string;
  workload: string;
  stepsPerSec: number;
  steps: number;
  dispatchesPerStep: number | null;
  submitsPerStep: number | null;
  firstLoss: number;
  lastLoss: number;
  note?: string;
}

async function timeSteps(
  run: (n: number) => Promise<number[]>,
): Promise<{ sps: number; steps: number; losses: number[]; d: number; s: number }> {
  await run(3); // warm-up: pipelines, buffers
  let n = 5;
  for (;;) {
    const c0 = { ...counts };
    const t0 = performance.now();
    const losses = await run(n);
    const sec = (performance.now() - t0) / 1000;
    if (sec >= budget.seconds || n >= budget.maxSteps) {
      return {
        sps: n / sec,
        steps: n,
        losses,
        d: (counts.dispatches - c0.dispatches) / n,
        s: (counts.submits - c0.submits) / n,
      };
    }
    n = Math.min(budget.maxSteps, Math.ceil((n * budget.seconds * 1.2) / Math.max(sec, 1e-3)));
  }
}

export async function gradboxTraining(w: Workload, backend: 'webgpu' | 'wasm' | 'js'): Promise<TrainRow> {
  const gb = await createContext({ backend });
  const { x, y } = syntheticData(w);
  const model = new nn.MLP(gb, { sizes: w.sizes, activation: 'relu', seed: 1 });
  const opt = optim.adam(gb, model.parameters(), { lr: 1e-3 });
  const trainer = new optim.Trainer({
    model,
    optimizer: opt,
    loss: nn.softmaxCrossEntropy,
    x: gb.tensor(x, [w.batch, w.sizes[0]]),
    y: gb.tensor(y),
  });
  const t = await timeSteps(async (n) => Array.from((await trainer.run(n)).losses));
  const adapter = gb.backendReason;
  gb.dispose();
  return {
    library: 'gradbox',
    backend,
    workload: w.name,
    stepsPerSec: t.sps,
    steps: t.steps,
    dispatchesPerStep: backend === 'webgpu' ? t.d : null,
    submitsPerStep: backend === 'webgpu' ? t.s : null,
    firstLoss: t.losses[0],
    lastLoss: t.losses[t.losses.length - 1],
    note: adapter,
  };
}

export async function tfjsTraining(w: Workload, backend: 'webgpu' | 'wasm' | 'cpu'): Promise<TrainRow> {
  const ok = await tf.setBackend(backend);
  if (!ok) throw new Error(`tfjs could not start its ${backend} backend`);
  await tf.ready();
  const { x, y } = syntheticData(w);
  const xs = tf.tensor2d(x, [w.batch, w.sizes[0]]);
  const ys = tf.oneHot(tf.tensor1d(y, 'int32'), w.sizes[w.sizes.length - 1]);
  const vars: tf.Variable[] = [];
  for (let i = 0; i + 1 < w.sizes.length; i++) {
    const [a, b] = [w.sizes[i], w.sizes[i + 1]];
    vars.push(tf.variable(tf.randomNormal([a, b], 0, Math.sqrt(2 / a), 'float32', i)));
    vars.push(tf.variable(tf.zeros([b])));
  }
  const forward = () => {
    let h: tf.Tensor = xs;
    for (let i = 0; i < vars.length; i += 2) {
      h = tf.add(tf.matMul(h, vars[i]), vars[i + 1]);
      if (i + 2 < vars.length) h = tf.relu(h);
    }
    return tf.losses.softmaxCrossEntropy(ys, h) as tf.Scalar;
  };
  const opt = tf.train.adam(1e-3);
  const run = async (n: number) => {
    const ls: tf.Scalar[] = [];
    for (let i = 0; i < n; i++) ls.push(opt.minimize(forward, true, vars) as tf.Scalar);
    const values = await Promise.all(ls.map((l) => l.data()));
    ls.forEach((l) => l.dispose());
    return values.map((v) => v[0]);
  };
  const t = await timeSteps(run);
  [xs, ys, ...vars].forEach((v) => v.dispose());
  opt.dispose();
  return {
    library: 'tfjs 4.22',
    backend,
    workload: w.name,
    stepsPerSec: t.sps,
    steps: t.steps,
    dispatchesPerStep: backend === 'webgpu' ? t.d : null,
    submitsPerStep: backend === 'webgpu' ? t.s : null,
    firstLoss: t.losses[0],
    lastLoss: t.losses[t.losses.length - 1],
  };
}
