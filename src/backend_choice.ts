// createContext(): which backend a context runs on. Each backend is a factory here; 'auto' takes WebGPU when
// an adapter exists (and, with calibrate, when it beats the CPU on a short probe), else the CPU.
import type { Backend } from './backends/backend';
import { CpuBackend } from './backends/cpu/cpu_backend';
import { WebGpuBackend } from './backends/webgpu/webgpu_backend';
import { Context } from './context';
import { describe, GradboxError } from './errors';
import { seedToKey } from './random';

export type BackendName = 'webgpu' | 'cpu';

export interface ContextOptions {
  /** 'auto' (default) takes WebGPU when an adapter exists, else the CPU, and says so once. */
  backend?: BackendName | 'auto';
  /** Run on this GPUDevice (your app's); gradbox will not destroy it. Implies the WebGPU backend. */
  device?: GPUDevice;
  /** Seed for rand/randn calls that pass no seed of their own. Default: a random seed. */
  seed?: number;
  /** Print every WGSL pipeline and every dispatch to the console. */
  debug?: boolean;
  /**
   * With backend 'auto': time a short probe (a small matmul, reductions and a broadcast, well under a
   * second) on WebGPU and on the CPU, and keep the faster. Software adapters such as SwiftShader often
   * lose to the CPU; the result is in `backendReason` and `calibration`.
   */
  calibrate?: boolean;
  powerPreference?: GPUPowerPreference;
}

/** How to make each backend. A new backend adds its factory here; the context needs nothing else. */
const FACTORIES: Record<BackendName, (o: ContextOptions) => Promise<Backend>> = {
  cpu: async () => new CpuBackend(),
  webgpu: (o) => WebGpuBackend.create(o),
};

let saidAuto = false;

/**
 * Creates a context: the home of tensors on one backend.
 * @example
 * const gb = await createContext({ backend: 'auto' });
 * const y = gb.tensor([[1, 2], [3, 4]]).matmul(gb.eye(2)).sum(1);
 * console.log(await y.data()); // Float32Array [3, 7]
 */
export async function createContext(options: ContextOptions = {}): Promise<Context> {
  if (typeof options !== 'object' || options === null) {
    throw new GradboxError(`createContext: options must be an object, got ${describe(options)}`);
  }
  const want = options.device ? 'webgpu' : (options.backend ?? 'auto');
  if (want !== 'auto' && !(want in FACTORIES)) {
    throw new GradboxError(`createContext: backend must be 'webgpu', 'cpu' or 'auto', got ${describe(want)}`);
  }
  const key = seedToKey('createContext', options.seed ?? Math.floor(Math.random() * 2 ** 32));
  const make = async (name: BackendName, reason?: string) => {
    const backend = await FACTORIES[name](options);
    return new Context(backend, want, reason ?? backend.description, key);
  };
  if (want === 'cpu') return make('cpu', 'asked for the CPU backend');
  if (want === 'webgpu') return make('webgpu');
  let gpu: Context;
  try {
    gpu = await make('webgpu');
  } catch (e) {
    const reason = `no WebGPU: ${(e as Error).message}`;
    if (!saidAuto) {
      saidAuto = true;
      console.info(`gradbox: using the CPU backend (${reason})`);
    }
    return make('cpu', reason);
  }
  return options.calibrate ? calibrated(gpu, await make('cpu')) : gpu;
}

/** Times the calibration probe on a context: a warm-up, then three runs. Leaves no tensor behind. */
async function probeMs(gb: Context): Promise<number> {
  const a = gb.rand([128, 128], { seed: 1 });
  const x = gb.rand([256, 128], { seed: 2 });
  const run = async () => {
    const y = gb.tidy(() => a.matmul(a).add(x.sum(0)).add(x.mean()).softmax());
    await y.data();
    y.dispose();
  };
  await run();
  const t0 = performance.now();
  for (let i = 0; i < 3; i++) await run();
  const ms = performance.now() - t0;
  a.dispose();
  x.dispose();
  return ms;
}

/** Keeps the faster of two contexts on the probe and disposes the other. */
async function calibrated(gpu: Context, cpu: Context): Promise<Context> {
  const webgpuMs = await probeMs(gpu);
  const cpuMs = await probeMs(cpu);
  const [keep, drop] = webgpuMs <= cpuMs ? [gpu, cpu] : [cpu, gpu];
  drop.dispose();
  keep.calibration = { webgpuMs, cpuMs };
  keep.backendReason =
    `calibration: the probe took ${webgpuMs.toFixed(1)} ms on ${gpu.engine.description} ` +
    `and ${cpuMs.toFixed(1)} ms on the CPU`;
  return keep;
}
