// The WebGPU backend: every op is a WGSL dispatch encoded into a shared batch, submitted on readback.
// Kernel choice per family lives in kernels/; this class only routes calls and owns the runner.

import type { PhiloxKey } from '../../random';
import {
  type Backend,
  type BackendStats,
  BINARY_OPS,
  type BinaryOp,
  type GpuInterop,
  type MatmulPlan,
  type Operand,
  OPTIMIZER_RULES,
  type OptimizerHyper,
  type OptimizerRule,
  type ReduceOp,
  type SamplerFamily,
  type ScanOp,
  type SoftmaxMode,
  type SpecialOp,
  type Storage,
  type TriangularSolveOptions,
  UNARY_OPS,
  type UnaryOp,
} from '../backend';
import { type AcquiredDevice, acquireDevice, infoOfDevice } from './device';
import * as ew from './kernels/elementwise';
import * as layout from './kernels/layout';
import * as linalgKernels from './kernels/linalg';
// Issue 10: eigh and svd
import * as jacobiKernels from './kernels/jacobi';
import type { JacobiVariant } from './kernels/jacobi';
import type { LinalgVariant } from './kernels/linalg';
import { luPanel } from './kernels/linalg_blocked';
import { qr, qrPanel, type QrVariant } from './kernels/linalg_qr';
import * as distributionKernels from './kernels/distributions';
import { type MatmulVariant, matmul } from './kernels/matmul';
import { optimizerStep } from './kernels/optim';
import { type ReduceVariant, reduce, type SoftmaxVariant, softmax } from './kernels/reduce';
import * as shapeKernels from './kernels/shape';
import * as scanKernels from './kernels/scan';
import type { ScanVariant, SortVariant } from './kernels/scan';
import * as scatterKernels from './kernels/scatter';
import type { ScatterVariant } from './kernels/scatter';
import * as statsKernels from './kernels/stats';
import type { HistogramVariant } from './kernels/stats';
import { bindingOf, GpuRunner, type GpuStorage, type PipelineSpec } from './runner';
import { SHADERS } from './shaders';

const gpu = (x: Storage) => x as GpuStorage;

/**
 * Pipelines nearly every program dispatches: contiguous add/sub/mul (tensor and number operands), relu and
 * copy, fills, the tiled matmuls, row and column sums, Adam. Their constants match what the kernels pass;
 * a failure here only means the first dispatch compiles (and reports) it.
 */
export const COMMON_PIPELINES: PipelineSpec[] = [
  ...['add', 'sub', 'mul'].flatMap((op) =>
    [0, 2].map((mask) => ({
      shader: SHADERS.elementwise,
      entry: 'binary',
      constants: { OP: BINARY_OPS.indexOf(op as BinaryOp), CONTIGUOUS: 1, CONST_MASK: mask, RANK: 1 },
    })),
  ),
  ...(['relu', 'copy'] as const).map((op) => ({
    shader: SHADERS.elementwise,
    entry: 'unary',
    constants: { OP: UNARY_OPS.indexOf(op), CONTIGUOUS: 1, CONST_MASK: 0, RANK: 1 },
  })),
  { shader: SHADERS.layout, entry: 'fill' },
  { shader: SHADERS.matmul, entry: 'matmul_tiled' },
  { shader: SHADERS.matmul, entry: 'matmul_tiled_vec4' },
  ...['reduce_cols', 'reduce_rows'].map((entry) => ({ shader: SHADERS.reduce, entry, constants: { OP: 0 } })),
  { shader: SHADERS.optim, entry: 'step', constants: { RULE: OPTIMIZER_RULES.indexOf('adam') } },
];
const gpuOperand = (x: Operand): Operand => x;

export interface WebGpuOptions {
  /** An existing device to run on; gradbox will not destroy it. */
  device?: GPUDevice;
  powerPreference?: GPUPowerPreference;
  debug?: boolean;
}

export class WebGpuBackend implements Backend, GpuInterop {
  readonly name = 'webgpu' as const;
  readonly description: string;
  readonly lost: Promise<string>;
  readonly gpu: GpuInterop = this;
  /** Kernel variants to use; 'auto' chooses by shape. Tests and benchmarks pin them to compare rungs. */
  readonly variants: {
    matmul: MatmulVariant;
    reduce: ReduceVariant;
    softmax: SoftmaxVariant;
    scan: ScanVariant;
    sort: SortVariant;
    scatter: ScatterVariant;
    // Issue 10: eigh and svd
    jacobi: JacobiVariant;
    // Linear algebra: QR, small matrices (issue 10)
    qr: QrVariant;
    linalg: LinalgVariant;
    // Statistics
    histogram: HistogramVariant;
  } = {
    matmul: 'auto',
    reduce: 'auto',
    softmax: 'auto',
    scan: 'auto',
    sort: 'auto',
    scatter: 'auto',
    // Issue 10: eigh and svd
    jacobi: 'auto',
    qr: 'auto',
    linalg: 'auto',
    // Statistics
    histogram: 'auto',
  };
  private gpuHandle: unknown;

  private constructor(
    readonly runner: GpuRunner,
    private ownsDevice: boolean,
    gpuHandle: unknown,
  ) {
    this.gpuHandle = gpuHandle;
    const { vendor, architecture, description } = runner.info;
    const adapter = [vendor, architecture, description].filter(Boolean).join(' / ') || 'an unnamed adapter';
    this.description = `WebGPU on ${adapter}`;
    // From the moment of loss every call on this backend throws with the reason (runner.check()).
    this.lost = runner.device.lost.then((info) => {
      const reason = `${info.reason}: ${info.message}`;
      runner.lostReason = reason;
      return reason;
    });
  }

  static async create(opts: WebGpuOptions = {}): Promise<WebGpuBackend> {
    let acquired: AcquiredDevice;
    if (opts.device) acquired = { device: opts.device, info: infoOfDevice(opts.device), gpuHandle: null };
    else acquired = await acquireDevice(opts.powerPreference);
    const runner = new GpuRunner(acquired.device, acquired.info, !!opts.debug);
    // On a GPU, compile what nearly every program runs in the background so a first step does not stall.
    // Not on software adapters: there the compiler competes with the shaders for the same CPU cores, and
    // precompiling measured slower than compiling on first use (1.5 s vs 3-5 s for 17 entry points).
    if (!acquired.info.software) void runner.precompile(COMMON_PIPELINES).catch(() => {});
    return new WebGpuBackend(runner, !opts.device, acquired.gpuHandle);
  }

  get device(): GPUDevice {
    return this.runner.device;
  }

  /** Wraps a GPUBuffer the caller owns; gradbox reads and writes it but never destroys it. */
  wrap(buffer: GPUBuffer, length: number): GpuStorage {
    return { buffer, length, offset: 0, owned: false };
  }

  /** The buffer and byte range of a storage (a view into a packed buffer starts past byte 0). */
  binding(x: Storage): { buffer: GPUBuffer; offset: number; size: number } {
    const b = bindingOf(gpu(x));
    return { buffer: b.buffer, offset: b.offset ?? 0, size: b.size ?? x.length * 4 };
  }

  upload(data: Float32Array): Storage {
    return this.runner.upload(data);
  }
  read(x: Storage): Promise<Float32Array> {
    return this.runner.read(gpu(x));
  }
  free(x: Storage): void {
    this.runner.free(gpu(x));
  }
  bytes(x: Storage): number {
    return x.length * 4;
  }
  fill(value: number, length: number): Storage {
    return layout.fill(this.runner, value, length);
  }
  random(dist: 'uniform' | 'normal', key: PhiloxKey, counter: number, length: number): Storage {
    return layout.random(this.runner, dist, key, counter, length);
  }
  unary(op: UnaryOp, x: Storage): Storage {
    return ew.unary(this.runner, op, gpu(x));
  }
  binary(op: BinaryOp, a: Operand, b: Operand, outShape: readonly number[]): Storage {
    return ew.binary(this.runner, op, gpuOperand(a), gpuOperand(b), outShape);
  }
  where(c: Operand, a: Operand, b: Operand, outShape: readonly number[]): Storage {
    return ew.where(this.runner, c, a, b, outShape);
  }
  matmul(a: Storage, b: Storage, plan: MatmulPlan): Storage {
    return matmul(this.runner, gpu(a), gpu(b), plan, this.variants.matmul);
  }
  reduce(op: ReduceOp, x: Storage, outer: number, size: number, inner: number): Storage {
    return reduce(this.runner, op, gpu(x), outer, size, inner, this.variants.reduce);
  }
  softmax(mode: SoftmaxMode, x: Storage, outer: number, size: number, inner: number): Storage {
    return softmax(this.runner, mode, gpu(x), outer, size, inner, this.variants.softmax);
  }
  strided(x: Storage, strides: readonly number[], outShape: readonly number[]): Storage {
    return ew.strided(this.runner, gpu(x), strides, outShape);
  }
  gather(x: Storage, indices: Storage, outer: number, size: number, inner: number): Storage {
    return layout.gather(this.runner, gpu(x), gpu(indices), outer, size, inner);
  }
  oneHot(indices: Storage, depth: number): Storage {
    return layout.oneHot(this.runner, gpu(indices), depth);
  }
  view(x: Storage, offset: number, length: number): GpuStorage {
    const s = gpu(x);
    return { buffer: s.buffer, offset: s.offset + offset, length, owned: false };
  }
  copyInto(dst: Storage, at: number, src: Storage): void {
    this.runner.copy(gpu(src), gpu(dst), at);
  }
  optimizerStep(
    rule: OptimizerRule,
    params: Storage,
    grads: Storage,
    m: Storage,
    v: Storage,
    hyper: OptimizerHyper,
  ): void {
    optimizerStep(this.runner, rule, gpu(params), gpu(grads), gpu(m), gpu(v), hyper);
  }
  flush(): void {
    this.runner.submit();
  }
  sync(): Promise<void> {
    return this.runner.sync();
  }
  beginTiming(): boolean {
    return this.runner.beginTiming();
  }
  endTiming(): Promise<number | null> {
    return this.runner.endTiming();
  }
  poolBytes(): number {
    return this.runner.poolBytes();
  }
  stats(): BackendStats {
    const { dispatches, submits, copies, uploads, readbacks } = this.runner.stats;
    return { dispatches, submits, copies, uploads, readbacks };
  }
  dispose(): void {
    this.runner.destroy(this.ownsDevice);
    this.gpuHandle = null;
  }

  // Issue 9: shape ops
  stridedRead(x: Storage, offset: number, strides: readonly number[], outShape: readonly number[]): Storage {
    return shapeKernels.stridedRead(this.runner, gpu(x), offset, strides, outShape);
  }
  stridedInto(
    dst: Storage,
    dstOffset: number,
    dstStrides: readonly number[],
    src: Storage,
    srcStrides: readonly number[],
    shape: readonly number[],
  ): void {
    shapeKernels.stridedInto(this.runner, gpu(dst), dstOffset, dstStrides, gpu(src), srcStrides, shape);
  }
  // Issue 9: scans, sorting, scatter
  scan(op: ScanOp, x: Storage, outer: number, size: number, inner: number, reverse: boolean): Storage {
    return scanKernels.scan(this.runner, op, gpu(x), outer, size, inner, reverse, this.variants.scan);
  }
  sort(
    x: Storage,
    rows: number,
    size: number,
    descending: boolean,
    k: number,
  ): { values: Storage; indices: Storage } {
    return scanKernels.sort(this.runner, gpu(x), rows, size, descending, k, this.variants.sort);
  }
  bincount(x: Storage, length: number): Storage {
    return scatterKernels.bincount(this.runner, gpu(x), length, this.variants.scatter);
  }
  segmentSum(data: Storage, ids: Storage, rows: number, inner: number, numSegments: number): Storage {
    return scatterKernels.segmentSum(
      this.runner,
      gpu(data),
      gpu(ids),
      rows,
      inner,
      numSegments,
      this.variants.scatter,
    );
  }
  randint(key: PhiloxKey, counter: number, length: number, low: number, high: number): Storage {
    return layout.randint(this.runner, key, counter, length, low, high);
  }

  // Linear algebra
  cholesky(x: Storage, batch: number, n: number): { factor: Storage; info: Storage } {
    return linalgKernels.cholesky(this.runner, gpu(x), batch, n, this.variants.linalg);
  }
  triangularSolve(
    a: Storage,
    b: Storage,
    batch: number,
    n: number,
    k: number,
    opts: TriangularSolveOptions,
  ): Storage {
    return linalgKernels.triangularSolve(this.runner, gpu(a), gpu(b), batch, n, k, opts);
  }
  lu(x: Storage, batch: number, n: number): { lu: Storage; perm: Storage; sign: Storage } {
    return linalgKernels.lu(this.runner, gpu(x), batch, n, this.variants.linalg);
  }

  // Issue 10: eigh and svd (Jacobi rotations)
  eigh(x: Storage, batch: number, n: number): { values: Storage; vectors: Storage } {
    return jacobiKernels.eigh(this.runner, gpu(x), batch, n, this.variants.jacobi);
  }
  svd(x: Storage, batch: number, m: number, n: number): { u: Storage; s: Storage; vt: Storage } {
    return jacobiKernels.svd(this.runner, gpu(x), batch, m, n, this.variants.jacobi);
  }
  // Linear algebra: QR, blocked LU panels (issue 10)
  qr(x: Storage, batch: number, m: number, n: number): { q: Storage; r: Storage } {
    return qr(this.runner, gpu(x), batch, m, n, this.variants.qr);
  }
  luPanel(x: Storage, batch: number, m: number, b: number): { lu: Storage; perm: Storage; sign: Storage } {
    return luPanel(this.runner, gpu(x), batch, m, b);
  }
  // Linear algebra: the blocked QR's panel (issue 10)
  qrPanel(x: Storage, batch: number, m: number, b: number): { v: Storage; t: Storage; r: Storage } {
    return qrPanel(this.runner, gpu(x), batch, m, b);
  }
  // Statistics
  histogram(x: Storage, edges: Storage, bins: number, uniform: boolean): Storage {
    return statsKernels.histogram(this.runner, gpu(x), gpu(edges), bins, uniform, this.variants.histogram);
  }
  orderStatistics(x: Storage, rows: number, size: number, ranks: readonly number[]): Storage {
    return statsKernels.orderStatistics(this.runner, gpu(x), rows, size, ranks);
  }
  // Probability: special functions and samplers
  special(op: SpecialOp, operands: readonly Operand[], outShape: readonly number[]): Storage {
    return distributionKernels.special(this.runner, op, operands.map(gpuOperand), outShape);
  }
  sample(
    family: SamplerFamily,
    params: readonly Storage[],
    batch: number,
    length: number,
    key: PhiloxKey,
    counter: number,
    width: number,
  ): Storage {
    return distributionKernels.sample(
      this.runner,
      family,
      params.map(gpu),
      batch,
      length,
      key,
      counter,
      width,
    );
  }
}
