// Context: the home of tensors on one backend, and the public face of everything done with them:
// creation, tidy scopes and memory, autodiff entry points, timing. The bookkeeping lives in src/registry.ts.
import type { Backend, BackendStats } from './backends/backend';
import { CpuBackend } from './backends/cpu/cpu_backend';
import type { BackendName, BackendRequest } from './backend_choice';
import { grad, type Recording, valueAndGrad } from './autodiff';
import { hessian, hvp, jacobian, jvp } from './derivatives';
import { describe, GradboxError } from './errors';
import { checkGrad, type GradCheckOptions, type GradCheckResult } from './gradcheck';
import { fromBuffer } from './interop';
import * as creation from './ops/creation';
import * as blocks from './ops/linalg_blocks';
import * as shapeOps from './ops/shape';
import { where } from './ops/elementwise';
import type { TensorLike } from './ops/inputs';
import { segmentSum } from './ops/scatter';
import { type PhiloxKey, RandomStream } from './random';
import { Registry } from './registry';
import type { Storage } from './backends/backend';
import type { Tensor } from './tensor';

/** Live tensors and the bytes of their storage, as counted by gradbox. */
export interface MemoryInfo {
  /** Tensors alive now (views and reshapes count once each). */
  tensors: number;
  /** Bytes of the storage they hold. */
  bytes: number;
  /**
   * Bytes the backend keeps for reuse that no tensor holds: WebGPU's buffer pool; the rest of the wasm
   * backend's WebAssembly memory (which never shrinks); 0 on the js backend.
   */
  poolBytes: number;
}

/** Tensors, memory accounting and scopes on one backend. Create it with createContext(). */
export class Context {
  /** @internal The backend that runs this context's kernels. */
  engine: Backend;
  /** Why this backend was chosen (or left), in words. */
  backendReason: string;
  /** With { calibrate: true }: the probe's time on each backend, in ms. */
  calibration: { webgpuMs: number; cpuMs: number } | null = null;
  /** @internal Live tensors, their storage and the tidy scopes. */
  readonly registry = new Registry();
  /** @internal The tapes of the grad() calls in progress (nested for derivatives of derivatives). */
  readonly recording: Recording = { tapes: [], paused: 0 };
  private readonly random: RandomStream;
  private disposed = false;

  /** @internal Use createContext(). */
  constructor(
    backend: Backend,
    private readonly requested: BackendRequest,
    reason: string,
    rngKey: PhiloxKey,
  ) {
    this.engine = backend;
    this.backendReason = reason;
    this.random = new RandomStream(rngKey);
    void backend.lost.then((why) => this.onLost(backend, why));
  }

  /** The backend in use: 'webgpu', 'wasm' (WebAssembly SIMD on the CPU) or 'js' (TypeScript on the CPU). */
  get backend(): BackendName {
    return this.engine.name;
  }

  /** The GPUDevice in use, or null on a backend without one. */
  get device(): GPUDevice | null {
    return this.engine.gpu?.device ?? null;
  }

  /**
   * Device loss: with 'auto' the context moves to the CPU (tensors made before are gone, new ones live on
   * the CPU); with 'webgpu' every later use of the device throws with the reason.
   */
  private onLost(dead: Backend, why: string): void {
    if (this.disposed || this.engine !== dead || this.requested !== 'auto') return;
    this.backendReason = `the WebGPU device was lost (${why}); moved to the CPU`;
    console.warn(`gradbox: ${this.backendReason}. Tensors made before are gone; new ones live on the CPU.`);
    this.engine = new CpuBackend();
    this.registry.forget(dead);
    dead.dispose();
  }

  private check(op: string): void {
    if (this.disposed) {
      throw new GradboxError(`${op}: this context was disposed; create a new one with createContext()`);
    }
  }

  /** @internal Makes a tensor that owns new storage of the current backend. */
  wrap(storage: Storage, shape: readonly number[]): Tensor {
    return this.registry.wrap(this, this.engine, storage, shape);
  }

  /** @internal Makes a tensor that shares x's storage (a reshape). */
  view(x: Tensor, shape: readonly number[]): Tensor {
    return this.registry.view(x, shape);
  }

  /** @internal */
  release(t: Tensor): void {
    this.registry.release(t);
  }

  /** Starts all queued GPU work now, without waiting for it (a training loop calls this once per step). */
  flush(): void {
    this.engine.flush();
  }

  /** Counters of the backend's work so far: dispatches, submits, copies, uploads, readbacks. */
  stats(): BackendStats {
    return this.engine.stats();
  }

  /** Tensors alive right now, the bytes of their storage, and the bytes the backend keeps pooled. */
  memory(): MemoryInfo {
    return { ...this.registry.count(), poolBytes: this.engine.poolBytes() };
  }

  /**
   * Runs `fn` and disposes every tensor it created except those it returns (a tensor, or tensors in an
   * array or plain object). Use it around each step of a loop so intermediates do not pile up. If `fn`
   * throws, every tensor it created is disposed and the error is rethrown.
   */
  tidy<T>(fn: () => T): T {
    this.check('tidy');
    if (typeof fn !== 'function') throw new GradboxError(`tidy: expected a function, got ${describe(fn)}`);
    return this.registry.tidy(fn);
  }

  /** Exempts a tensor from the enclosing tidy scopes. */
  keep<T extends Tensor>(t: T): T {
    this.registry.keep(t);
    return t;
  }

  /** Frees every tensor of this context and the backend (the GPU device, unless it was given to us). */
  dispose(): void {
    if (this.disposed) return;
    for (const t of this.registry.tensors()) t.dispose();
    this.disposed = true;
    this.engine.dispose();
  }

  /** @internal The Philox key and counter for the next unseeded random draw of n numbers. */
  nextRandomStream(n: number): { key: PhiloxKey; counter: number } {
    return this.random.next(n);
  }

  // Autodiff --------------------------------------------------------------------------------------

  /**
   * Turns a scalar function of tensors into a function that returns its gradient with respect to every
   * argument, one new tensor per argument with the argument's shape (yours to dispose).
   * @example
   * const f = (w: Tensor, b: Tensor) => x.matmul(w).add(b).sub(y).square().mean();
   * const [dw, db] = gb.grad(f)(w, b);
   * Calls nest: `gb.grad((y) => gb.grad(f)(y)[0].sum())(x)` differentiates a gradient.
   */
  grad<A extends Tensor[]>(f: (...args: A) => Tensor): (...args: A) => Tensor[] {
    this.check('grad');
    return grad(this, f);
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
   * The Hessian of a scalar function of one tensor, shape `[...x.shape, ...x.shape]`: the Jacobian of its
   * gradient, from reverse mode over a recorded backward pass.
   * @example gb.hessian((x) => x.square().sum())(x) // 2 I
   */
  hessian(f: (x: Tensor) => Tensor): (x: Tensor) => Tensor {
    this.check('hessian');
    return hessian(this, f);
  }

  /** The Jacobian of f at x, shape `[...f(x).shape, ...x.shape]` (one reverse pass per output element). */
  jacobian(f: (x: Tensor) => Tensor): (x: Tensor) => Tensor {
    this.check('jacobian');
    return jacobian(this, f);
  }

  /** The Hessian-vector product H v of a scalar function at x, without forming H (shape of x). */
  hvp(f: (x: Tensor) => Tensor): (x: Tensor, v: Tensor) => Tensor {
    this.check('hvp');
    return hvp(this, f);
  }

  /** `[f(x), J v]`: the value and the directional derivative along v (two reverse passes). */
  jvp(f: (x: Tensor) => Tensor): (x: Tensor, v: Tensor) => [Tensor, Tensor] {
    this.check('jvp');
    return jvp(this, f);
  }

  /** A tensor of ones with t's shape. */
  onesLike(t: Tensor): Tensor {
    return this.ones(t.shape);
  }

  /**
   * Runs `fn`, waits for the device, and reports the wall time and, where the backend can time its device
   * (WebGPU with timestamp queries), the device time of the kernels it queued. For benchmarks and the
   * demos' timing panels.
   */
  async profile<T>(fn: () => T): Promise<{ result: T; wallMs: number; gpuMs: number | null }> {
    this.check('profile');
    const engine = this.engine;
    const timed = engine.beginTiming();
    const t0 = performance.now();
    const result = fn();
    await this.sync();
    const wallMs = performance.now() - t0;
    const gpuMs = timed ? await engine.endTiming() : null;
    return { result, wallMs, gpuMs };
  }

  /**
   * Waits until the device has finished all queued work (a no-op on the CPU). Like every read, it throws
   * an error a device kernel reported since the last read (a Cholesky pivot that is not positive).
   */
  async sync(): Promise<void> {
    await this.engine.sync();
    await this.settleChecks();
  }

  // Linear algebra: errors found on the device (issue 10) -----------------------------------------

  /**
   * Checks of device results that only the finished kernel can answer (a Cholesky pivot that is not
   * positive). An op cannot wait for the GPU, so it queues the check, and the next read (t.data(),
   * toArray(), item()) or sync() on this context throws the first failure: the model of CUDA, whose
   * asynchronous errors surface at the next synchronisation. Each failure is thrown once.
   */
  private deferredChecks = new Set<Promise<GradboxError | null>>();

  /** @internal Queues a check that resolves to the error to throw, or null when all is well. */
  deferCheck(check: Promise<GradboxError | null>): void {
    const settled = check.catch(() => null); // a lost device reports itself elsewhere
    this.deferredChecks.add(settled);
    void settled.then((e) => {
      if (!e) this.deferredChecks.delete(settled);
    });
  }

  /** @internal Waits for the queued checks and throws the first failure among them. */
  async settleChecks(): Promise<void> {
    if (this.deferredChecks.size === 0) return;
    const pending = [...this.deferredChecks];
    const results = await Promise.all(pending);
    for (const p of pending) this.deferredChecks.delete(p);
    const first = results.find((e) => e !== null);
    if (first) throw first;
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

  // Issue 9: scans, sorting, scatter
  /**
   * Rows of `data` summed by id: out[s] = sum of data[j] with segmentIds[j] == s, shape
   * (numSegments, ...data.shape[1:]). Ids that are not integers in [0, numSegments) are ignored.
   */
  segmentSum(data: Tensor, segmentIds: Tensor, numSegments: number): Tensor {
    this.check('segmentSum');
    return segmentSum(data, segmentIds, numSegments);
  }
  /**
   * Uniform random integers in [low, high) (as float32); `{ seed }` makes them reproducible, and the same
   * seed gives the same numbers on every backend. high - low must be at most 2^24.
   */
  randint(shape: creation.ShapeLike, low: number, high: number, options?: creation.RandomOptions): Tensor {
    this.check('randint');
    return creation.randint(this, shape, low, high, options);
  }
  /** A random ordering of 0..n-1 (the argsort of n Philox uniforms); `{ seed }` makes it reproducible. */
  permutation(n: number, options?: creation.RandomOptions): Tensor {
    this.check('permutation');
    return creation.permutation(this, n, options);
  }
  /** Elementwise `cond != 0 ? a : b` with broadcasting. */
  where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
    this.check('where');
    return where(cond, a, b);
  }

  // Issue 9: shape, indexing and linear-algebra building blocks
  /** Joins tensors along an existing axis; the other axes must agree. */
  concat(ts: readonly Tensor[], axis = 0): Tensor {
    this.check('concat');
    return shapeOps.concat(ts, axis);
  }
  /** Joins tensors of one shape along a new axis. */
  stack(ts: readonly Tensor[], axis = 0): Tensor {
    this.check('stack');
    return shapeOps.stack(ts, axis);
  }
  /**
   * Einstein summation over one or two tensors, lowered to diagonals, sums, transposes and a batched matmul.
   * @example gb.einsum('bij,bjk->bik', a, b); gb.einsum('ii->i', m); gb.einsum('i,i->', u, v)
   */
  einsum(spec: string, ...ts: Tensor[]): Tensor {
    this.check('einsum');
    return blocks.einsum(spec, ts);
  }
  /**
   * Euclidean distances between the rows of a (n,d) and b (m,d): (n,m). Computed as
   * sqrt(max(|a|^2 + |b|^2 - 2 a b^T, 0)), so near-equal rows have float32 cancellation error of about
   * sqrt(eps) |a|; the gradient is 0 where the distance is 0.
   */
  cdist(a: Tensor, b: Tensor): Tensor {
    this.check('cdist');
    return blocks.cdist(a, b);
  }

  /**
   * Wraps a GPUBuffer of your own (usage must include STORAGE and COPY_SRC) as a tensor without copying.
   * gradbox never destroys it; disposing the tensor only forgets it.
   */
  fromBuffer(buffer: GPUBuffer, shape: readonly number[]): Tensor {
    this.check('fromBuffer');
    return fromBuffer(this, buffer, shape);
  }
}
