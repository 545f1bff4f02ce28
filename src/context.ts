// createContext() and Context: picks a backend, creates tensors, and accounts for their memory.
// A context owns every tensor made through it; tidy() scopes free intermediates, dispose() frees all.
import type { Backend, BackendStats, Storage } from './backends/backend';
import { CpuBackend } from './backends/cpu/cpu_backend';
import { WebGpuBackend } from './backends/webgpu/webgpu_backend';
import { checkGrad, type GradCheckOptions, type GradCheckResult, type Tape, valueAndGrad } from './autodiff';
import { describe, fmtShape, GradboxError } from './errors';
import * as creation from './ops/creation';
import { where } from './ops/elementwise';
import type { TensorLike } from './ops/inputs';
import { type PhiloxKey, seedToKey } from './random';
import { checkShape, sizeOf } from './shape';
import { type Allocation, Tensor } from './tensor';

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

/** Live tensors and the bytes of their storage, as counted by gradbox. */
export interface MemoryInfo {
  tensors: number;
  bytes: number;
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
  if (want !== 'auto' && want !== 'webgpu' && want !== 'cpu') {
    throw new GradboxError(`createContext: backend must be 'webgpu', 'cpu' or 'auto', got ${describe(want)}`);
  }
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
  const key = seedToKey('createContext', seed);
  if (want === 'cpu') return new Context(new CpuBackend(), 'cpu', 'asked for the CPU backend', key);
  try {
    const gpu = await WebGpuBackend.create(options);
    const { vendor, architecture, description } = gpu.runner.info;
    const adapter = [vendor, architecture, description].filter(Boolean).join(' / ') || 'an unnamed adapter';
    const ctx = new Context(gpu, want, `WebGPU on ${adapter}`, key);
    ctx.watchDevice(gpu);
    if (want === 'auto' && options.calibrate)
      return calibrated(ctx, new Context(new CpuBackend(), 'auto', '', key));
    return ctx;
  } catch (e) {
    if (want === 'webgpu') throw e;
    const reason = `no WebGPU: ${(e as Error).message}`;
    if (!saidAuto) {
      saidAuto = true;
      console.info(`gradbox: using the CPU backend (${reason})`);
    }
    return new Context(new CpuBackend(), 'auto', reason, key);
  }
}

/** Times the calibration probe on a context: warm-up once, then three runs. */
async function probeMs(gb: Context): Promise<number> {
  const a = gb.rand([128, 128], { seed: 1 });
  const x = gb.rand([256, 128], { seed: 2 });
  const run = () => gb.tidy(() => a.matmul(a).add(x.sum(0)).add(x.mean()).softmax());
  await run().data();
  const t0 = performance.now();
  for (let i = 0; i < 3; i++) {
    const y = run();
    await y.data();
    y.dispose();
  }
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
    `calibration: the probe took ${webgpuMs.toFixed(1)} ms on WebGPU (${gpu.backendReason.replace('WebGPU on ', '')}) ` +
    `and ${cpuMs.toFixed(1)} ms on the CPU`;
  return keep;
}

/** Tensors, memory accounting and scopes on one backend. Create it with createContext(). */
export class Context {
  /** @internal The backend that runs this context's kernels. */
  engine: Backend;
  /** Why this backend was chosen (or left), in words. */
  backendReason: string;
  /** With { calibrate: true }: the probe's time on each backend, in ms. */
  calibration: { webgpuMs: number; cpuMs: number } | null = null;
  private live = new Set<Tensor>();
  private bytesLive = 0;
  private scopes: Set<Tensor>[] = [];
  private disposed = false;
  private rngCounter = 0;
  /** @internal The tape of the grad() call in progress, if any. */
  tape: Tape | null = null;

  /** @internal */
  constructor(
    backend: Backend,
    private requested: BackendName | 'auto',
    reason: string,
    private rngKey: PhiloxKey,
  ) {
    this.engine = backend;
    this.backendReason = reason;
  }

  /** The backend in use: 'webgpu' or 'cpu'. */
  get backend(): BackendName {
    return this.engine.name;
  }

  /** The GPUDevice in use, or null on the CPU backend. */
  get device(): GPUDevice | null {
    return this.engine.name === 'webgpu' ? (this.engine as WebGpuBackend).device : null;
  }

  /** @internal Reacts to device loss: 'auto' moves to the CPU, 'webgpu' reports the loss on next use. */
  watchDevice(gpu: WebGpuBackend): void {
    gpu.device.lost.then((info) => {
      if (this.disposed || this.engine !== gpu) return;
      gpu.runner.lostReason = `${info.reason}: ${info.message}`;
      if (this.requested === 'auto') {
        this.backendReason = `the WebGPU device was lost (${info.reason}: ${info.message}); moved to the CPU`;
        console.warn(
          `gradbox: ${this.backendReason}. Tensors made before are gone; new ones live on the CPU.`,
        );
        this.engine = new CpuBackend();
        this.bytesLive = 0;
        for (const t of this.live) {
          if (t.alloc) t.alloc.bytes = 0;
        }
      }
    });
  }

  private check(op: string): void {
    if (this.disposed) {
      throw new GradboxError(`${op}: this context was disposed; create a new one with createContext()`);
    }
  }

  /** @internal Makes a tensor that owns new storage. */
  wrap(storage: Storage, shape: readonly number[]): Tensor {
    const alloc: Allocation = { storage, backend: this.engine, refs: 1, bytes: this.engine.bytes(storage) };
    this.bytesLive += alloc.bytes;
    return this.track(new Tensor(this, alloc, shape));
  }

  /** @internal Makes a tensor that shares x's storage (a reshape). */
  view(x: Tensor, shape: readonly number[]): Tensor {
    const alloc = x.alloc!;
    alloc.refs++;
    return this.track(new Tensor(this, alloc, shape));
  }

  private track(t: Tensor): Tensor {
    this.live.add(t);
    this.scopes[this.scopes.length - 1]?.add(t);
    return t;
  }

  /** @internal */
  release(t: Tensor): void {
    const alloc = t.alloc;
    if (!alloc) return;
    t.alloc = null;
    this.live.delete(t);
    this.unref(alloc);
  }

  private unref(alloc: Allocation): void {
    if (--alloc.refs > 0) return;
    this.bytesLive -= alloc.bytes;
    if (alloc.backend === this.engine) alloc.backend.free(alloc.storage);
    if (alloc.parent) this.unref(alloc.parent);
  }

  /**
   * @internal Points tensor t at elements [offset, offset + t.size) of `home`'s storage (which must already
   * hold t's values), releasing t's old storage. The home stays alive while t does.
   */
  rehome(t: Tensor, home: Tensor, offset: number): void {
    const parent = home.alloc!;
    const old = t.alloc!;
    parent.refs++;
    t.alloc = {
      storage: this.engine.view(parent.storage, offset, t.size),
      backend: this.engine,
      refs: 1,
      bytes: 0,
      parent,
    };
    this.unref(old);
  }

  /** Starts all queued GPU work now, without waiting for it (a training loop calls this once per step). */
  flush(): void {
    this.engine.flush();
  }

  /** Counters of the backend's work so far: dispatches, submits, copies, uploads, readbacks. */
  stats(): BackendStats {
    return this.engine.stats();
  }

  /** Tensors alive right now and the bytes of their storage. */
  memory(): MemoryInfo {
    return { tensors: this.live.size, bytes: this.bytesLive };
  }

  /**
   * Runs `fn` and disposes every tensor it created except those it returns (a tensor, or tensors in an
   * array or plain object). Use it around each step of a loop so intermediates do not pile up.
   */
  tidy<T>(fn: () => T): T {
    this.check('tidy');
    if (typeof fn !== 'function') throw new GradboxError(`tidy: expected a function, got ${describe(fn)}`);
    const scope = new Set<Tensor>();
    this.scopes.push(scope);
    let result: T;
    try {
      result = fn();
    } finally {
      this.scopes.pop();
    }
    if (result instanceof Promise) {
      for (const t of scope) t.dispose();
      throw new GradboxError('tidy: the function returned a Promise; tidy only takes synchronous functions');
    }
    const keep = new Set<Tensor>();
    collectTensors(result, keep, 0);
    const parent = this.scopes[this.scopes.length - 1];
    for (const t of scope) {
      if (keep.has(t)) parent?.add(t);
      else t.dispose();
    }
    return result;
  }

  /** Exempts a tensor from the enclosing tidy scopes. */
  keep<T extends Tensor>(t: T): T {
    for (const s of this.scopes) s.delete(t);
    return t;
  }

  /** Frees every tensor of this context and the backend (the GPU device, unless it was given to us). */
  dispose(): void {
    if (this.disposed) return;
    for (const t of [...this.live]) t.dispose();
    this.disposed = true;
    this.engine.dispose();
  }

  /** @internal The Philox key and counter for the next unseeded random draw of n numbers. */
  nextRandomStream(n: number): { key: PhiloxKey; counter: number } {
    const counter = this.rngCounter;
    this.rngCounter += Math.ceil(n / 4);
    return { key: this.rngKey, counter };
  }

  // Autodiff --------------------------------------------------------------------------------------

  /**
   * Turns a scalar function of tensors into a function that returns its gradient with respect to every
   * argument, one tensor per argument with the argument's shape.
   * @example
   * const f = (w: Tensor, b: Tensor) => x.matmul(w).add(b).sub(y).square().mean();
   * const [dw, db] = gb.grad(f)(w, b);
   */
  grad<A extends Tensor[]>(f: (...args: A) => Tensor): (...args: A) => Tensor[] {
    this.check('grad');
    const vg = valueAndGrad(this, f);
    return (...args: A) => {
      const [value, grads] = vg(...args);
      value.dispose();
      return grads;
    };
  }

  /** Like grad(), but also returns the function's value: `const [loss, [dw, db]] = gb.valueAndGrad(f)(w, b)`. */
  valueAndGrad<A extends Tensor[]>(f: (...args: A) => Tensor): (...args: A) => [Tensor, Tensor[]] {
    this.check('valueAndGrad');
    return valueAndGrad(this, f);
  }

  /**
   * Compares the analytic gradient of f at `inputs` with central finite differences computed in float64 on
   * the CPU, and reports the worst relative error per input. f must be deterministic.
   */
  checkGrad(
    f: (...args: Tensor[]) => Tensor,
    inputs: readonly Tensor[],
    options?: GradCheckOptions,
  ): Promise<GradCheckResult> {
    this.check('checkGrad');
    return checkGrad(this, f, inputs, options);
  }

  /**
   * @internal Runs `fn` with every live tensor copied to a float64 CPU backend (so that ops compute in
   * float64), then puts everything back. `read(t)` gives a tensor's float64 storage, writable in place.
   */
  async inFloat64<T>(fn: (read: (t: Tensor) => Float64Array) => T): Promise<T> {
    const cpu64 = new CpuBackend(Float64Array);
    const saved = new Map<Allocation, { storage: Storage; backend: Backend }>();
    for (const t of this.live) {
      const alloc = t.alloc!;
      if (saved.has(alloc) || alloc.backend !== this.engine) continue;
      saved.set(alloc, { storage: alloc.storage, backend: alloc.backend });
    }
    const copies = await Promise.all([...saved.values()].map((s) => s.backend.read(s.storage)));
    const original = this.engine;
    [...saved.keys()].forEach((alloc, i) => {
      alloc.storage = cpu64.upload(copies[i]);
      alloc.backend = cpu64;
    });
    this.engine = cpu64;
    try {
      return fn((t) => cpu64.readSync(t.storage('checkGrad')) as Float64Array);
    } finally {
      this.engine = original;
      for (const [alloc, s] of saved) {
        alloc.storage = s.storage;
        alloc.backend = s.backend;
      }
    }
  }

  /** A tensor of ones with t's shape. */
  onesLike(t: Tensor): Tensor {
    return this.ones(t.shape);
  }

  /**
   * Runs `fn`, waits for the device, and reports the wall time and, on WebGPU adapters with timestamp
   * queries, the GPU time of the kernels it queued. For benchmarks and the demos' timing panels.
   */
  async profile<T>(fn: () => T): Promise<{ result: T; wallMs: number; gpuMs: number | null }> {
    this.check('profile');
    const runner = this.engine.name === 'webgpu' ? (this.engine as WebGpuBackend).runner : null;
    runner?.beginTiming();
    const t0 = performance.now();
    const result = fn();
    await this.sync();
    const wallMs = performance.now() - t0;
    const gpuMs = runner ? await runner.endTiming() : null;
    return { result, wallMs, gpuMs };
  }

  /** Waits until the device has finished all queued work (a no-op on the CPU). */
  async sync(): Promise<void> {
    if (this.engine.name === 'webgpu') await (this.engine as WebGpuBackend).runner.sync();
  }

  // Creation ------------------------------------------------------------------------------------

  /**
   * A tensor from nested arrays (`[[1, 2], [3, 4]]`), a number, or a typed/plain array with a shape.
   * @example gb.tensor(new Float32Array(6), [2, 3])
   */
  tensor(data: creation.TensorData, shape?: creation.ShapeLike): Tensor {
    this.check('tensor');
    return creation.fromData(this, data, shape);
  }
  /** A tensor of zeros. */
  zeros(shape: creation.ShapeLike): Tensor {
    this.check('zeros');
    return creation.full(this, shape, 0, 'zeros');
  }
  /** A tensor of ones. */
  ones(shape: creation.ShapeLike): Tensor {
    this.check('ones');
    return creation.full(this, shape, 1, 'ones');
  }
  /** A tensor filled with `value`. */
  full(shape: creation.ShapeLike, value: number): Tensor {
    this.check('full');
    return creation.full(this, shape, value);
  }
  /** Evenly stepped values in [start, stop): `arange(5)`, `arange(2, 10, 2)`. */
  arange(startOrStop: number, stop?: number, step?: number): Tensor {
    this.check('arange');
    return creation.arange(this, startOrStop, stop, step);
  }
  /** `num` evenly spaced values from start to stop inclusive. */
  linspace(start: number, stop: number, num: number): Tensor {
    this.check('linspace');
    return creation.linspace(this, start, stop, num);
  }
  /** The identity matrix (n, m). */
  eye(n: number, m?: number): Tensor {
    this.check('eye');
    return creation.eye(this, n, m);
  }
  /** Uniform random numbers in [low, high) (default [0, 1)); `{ seed }` makes them reproducible. */
  rand(
    shape: creation.ShapeLike,
    options?: creation.RandomOptions & { low?: number; high?: number },
  ): Tensor {
    this.check('rand');
    return creation.rand(this, shape, options);
  }
  /** Normal random numbers (default mean 0, std 1); `{ seed }` makes them reproducible. */
  randn(
    shape: creation.ShapeLike,
    options?: creation.RandomOptions & { mean?: number; std?: number },
  ): Tensor {
    this.check('randn');
    return creation.randn(this, shape, options);
  }
  /** Elementwise `cond != 0 ? a : b` with broadcasting. */
  where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
    this.check('where');
    return where(cond, a, b);
  }

  /**
   * Wraps a GPUBuffer of your own (usage must include STORAGE and COPY_SRC) as a tensor without copying.
   * gradbox never destroys it; disposing the tensor only forgets it.
   */
  fromBuffer(buffer: GPUBuffer, shape: readonly number[]): Tensor {
    this.check('fromBuffer');
    const op = 'fromBuffer';
    const s = checkShape(op, shape);
    if (this.engine.name !== 'webgpu') {
      throw new GradboxError(
        `${op}: needs the WebGPU backend, but this context runs on the CPU (${this.backendReason})`,
      );
    }
    const gpu = this.engine as WebGpuBackend;
    if (!buffer || typeof (buffer as GPUBuffer).usage !== 'number') {
      throw new GradboxError(`${op}: expected a GPUBuffer, got ${describe(buffer)}`);
    }
    const need = sizeOf(s) * 4;
    if (buffer.size < need) {
      throw new GradboxError(
        `${op}: shape ${fmtShape(s)} needs ${need} bytes, but the buffer has ${buffer.size}; give a larger buffer or a smaller shape`,
      );
    }
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
    if ((buffer.usage & usage) !== usage) {
      throw new GradboxError(
        `${op}: the buffer's usage must include STORAGE and COPY_SRC (got ${buffer.usage}); create it with ` +
          'usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST',
      );
    }
    return this.wrap(gpu.wrap(buffer, sizeOf(s)), s);
  }
}

function collectTensors(v: unknown, into: Set<Tensor>, depth: number): void {
  if (depth > 8 || v === null || typeof v !== 'object') return;
  if (v instanceof Tensor) {
    into.add(v);
    return;
  }
  if (Array.isArray(v)) {
    for (const x of v) collectTensors(x, into, depth + 1);
    return;
  }
  if (Object.getPrototypeOf(v) === Object.prototype) {
    for (const x of Object.values(v)) collectTensors(x, into, depth + 1);
  }
}
