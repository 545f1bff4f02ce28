// createContext(): which backend a context runs on. Each backend is a factory here; 'cpu' is the fastest CPU
// backend available (WebAssembly SIMD, else TypeScript); 'auto' takes WebGPU when an adapter exists (and,
// with calibrate, when it beats that CPU backend on a short probe), else that CPU backend.
import type { Backend } from './backends/backend';
import { CpuBackend } from './backends/cpu/cpu_backend';
import { wasmSimdMissing } from './backends/wasm/support';
import { WasmBackend } from './backends/wasm/wasm_backend';
import { WebGpuBackend } from './backends/webgpu/webgpu_backend';
import { Context } from './context';
import { describe, GradboxError } from './errors';
import { seedToKey } from './random';

/** A backend that a context runs on: WebGPU, WebAssembly SIMD on the CPU, or TypeScript on the CPU. */
export type BackendName = 'webgpu' | 'wasm' | 'js';

/**
 * What createContext can be asked for: a backend by name, 'cpu' (the fastest CPU backend here: 'wasm'
 * where WebAssembly SIMD exists, else 'js'), or 'auto' (WebGPU when an adapter exists, else 'cpu').
 */
export type BackendRequest = BackendName | 'cpu' | 'auto';

const REQUESTS: readonly BackendRequest[] = ['auto', 'webgpu', 'cpu', 'wasm', 'js'];

export interface ContextOptions {
  /**
   * 'auto' (default) takes WebGPU when an adapter exists, else the CPU, and says so once. 'cpu' is the
   * fastest CPU backend here ('wasm' with WebAssembly SIMD, else 'js'); 'wasm' and 'js' name one.
   */
  backend?: BackendRequest;
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
  /**
   * The wasm backend's threads (this one included). Default: one per core (up to 16) where threads exist:
   * Node, or a cross-origin-isolated page (served with COOP/COEP headers); elsewhere 1. 1 turns them off.
   */
  threads?: number;
}

/** How to make each backend. A new backend adds its factory here; the context needs nothing else. */
const FACTORIES: Record<BackendName, (o: ContextOptions) => Promise<Backend>> = {
  js: async () => new CpuBackend(),
  wasm: (o) => WasmBackend.create({ threads: o.threads }),
  webgpu: (o) => WebGpuBackend.create(o),
};

/** The fastest CPU backend here, and why it is the one. */
function cpuChoice(): { name: BackendName; why: string } {
  const missing = wasmSimdMissing();
  return missing === null
    ? { name: 'wasm', why: 'WebAssembly SIMD on the CPU' }
    : { name: 'js', why: `TypeScript on the CPU, as ${missing}` };
}

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
  if (!REQUESTS.includes(want)) {
    throw new GradboxError(
      `createContext: backend must be one of ${REQUESTS.map((r) => `'${r}'`).join(', ')}, got ${describe(want)}`,
    );
  }
  const key = seedToKey('createContext', options.seed ?? Math.floor(Math.random() * 2 ** 32));
  const make = async (name: BackendName, reason?: string) => {
    const backend = await FACTORIES[name](options);
    return new Context(backend, want, reason ?? backend.description, key);
  };
  const cpu = cpuChoice();
  if (want === 'cpu') return make(cpu.name, `asked for the CPU: ${cpu.why}`);
  if (want === 'wasm' || want === 'js') return make(want, `asked for the ${want} backend`);
  if (want === 'webgpu') return make('webgpu');
  let gpu: Context;
  try {
    gpu = await make('webgpu');
  } catch (e) {
    const reason = `no WebGPU: ${(e as Error).message}; ${cpu.why}`;
    if (!saidAuto) {
      saidAuto = true;
      console.info(`gradbox: using the ${cpu.name} backend (${reason})`);
    }
    return make(cpu.name, reason);
  }
  return options.calibrate ? calibrated(gpu, await make(cpu.name)) : gpu;
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
    `and ${cpuMs.toFixed(1)} ms on the CPU (${cpu.engine.description})`;
  return keep;
}
