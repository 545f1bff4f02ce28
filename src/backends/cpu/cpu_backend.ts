// The TypeScript CPU backend ('js'): the fallback where neither WebGPU nor WebAssembly SIMD exists, and the
// reference the other backends are checked against. Work happens synchronously on typed arrays: float32
// normally, float64 for checkGrad's finite differences.
import type {
  Backend,
  BackendStats,
  MatmulPlan,
  Operand,
  OptimizerHyper,
  OptimizerRule,
  ReduceOp,
  SamplerFamily,
  ScanOp,
  SoftmaxMode,
  SpecialOp,
  Storage,
  TriangularSolveOptions,
  UnaryOp,
} from '../backend';
import type { PhiloxKey } from '../../random';
import { binary, strided, unary, where } from './elementwise';
import { gather, oneHot, random } from './layout';
import { sample } from './distributions';
import { special } from './special';
import * as linalg from './linalg';
// Issue 10: eigh and svd
import * as jacobi from './jacobi';
import { qr, qrPanel } from './linalg_qr';
import { matmul } from './matmul';
import { optimizerStep } from './optim';
import { reduce, softmax } from './reduce';
import { stridedInto, stridedRead } from './shape';
import { scan, sort } from './scan';
import { bincount, randint, segmentSum } from './scatter';
import * as statsKernels from './stats';
import { alloc, type CpuStorage, type FloatArrayConstructor, wrap } from './storage';

const cpu = (x: Storage) => x as CpuStorage;

export class CpuBackend implements Backend {
  readonly name = 'js' as const;
  readonly description: string;
  /** Host memory cannot be lost. */
  readonly lost = new Promise<string>(() => {});
  readonly gpu = null;

  /** @param F the element type: Float32Array (gradbox's meaning) or Float64Array (a float64 reference). */
  constructor(readonly F: FloatArrayConstructor = Float32Array) {
    this.description = `the CPU (${F === Float64Array ? 'float64' : 'float32'} typed arrays)`;
  }

  upload(data: Float32Array | Float64Array): Storage {
    return wrap(this.F.from(data));
  }
  async read(x: Storage): Promise<Float32Array> {
    return Float32Array.from(cpu(x).data);
  }
  /** The stored values at full precision (float64 for a float64 backend). @internal */
  readSync(x: Storage): Float32Array | Float64Array {
    return cpu(x).data;
  }
  free(): void {}
  bytes(x: Storage): number {
    return x.length * this.F.BYTES_PER_ELEMENT;
  }
  fill(value: number, length: number): Storage {
    return wrap(alloc(this.F, length).fill(value));
  }
  random(dist: 'uniform' | 'normal', key: PhiloxKey, counter: number, length: number): Storage {
    return random(this.F, dist, key, counter, length);
  }
  unary(op: UnaryOp, x: Storage): Storage {
    return unary(op, cpu(x));
  }
  binary = binary;
  where = where;
  matmul(a: Storage, b: Storage, plan: MatmulPlan): Storage {
    return matmul(cpu(a), cpu(b), plan);
  }
  reduce(op: ReduceOp, x: Storage, outer: number, size: number, inner: number): Storage {
    return reduce(op, cpu(x), outer, size, inner);
  }
  softmax(mode: SoftmaxMode, x: Storage, outer: number, size: number, inner: number): Storage {
    return softmax(mode, cpu(x), outer, size, inner);
  }
  strided(x: Storage, strides: readonly number[], outShape: readonly number[]): Storage {
    return strided(cpu(x), strides, outShape);
  }
  gather(x: Storage, indices: Storage, outer: number, size: number, inner: number): Storage {
    return gather(cpu(x), cpu(indices), outer, size, inner);
  }
  oneHot(indices: Storage, depth: number): Storage {
    return oneHot(cpu(indices), depth);
  }
  view(x: Storage, offset: number, length: number): Storage {
    return wrap(cpu(x).data.subarray(offset, offset + length));
  }
  copyInto(dst: Storage, at: number, src: Storage): void {
    cpu(dst).data.set(cpu(src).data, at);
  }
  optimizerStep(
    rule: OptimizerRule,
    params: Storage,
    grads: Storage,
    m: Storage,
    v: Storage,
    hyper: OptimizerHyper,
  ): void {
    optimizerStep(rule, cpu(params), cpu(grads), cpu(m), cpu(v), hyper);
  }
  flush(): void {}
  /** Work runs synchronously, so it is always done. */
  async sync(): Promise<void> {}
  /** No device time apart from wall time. */
  beginTiming(): boolean {
    return false;
  }
  async endTiming(): Promise<null> {
    return null;
  }
  stats(): BackendStats {
    return { dispatches: 0, submits: 0, copies: 0, uploads: 0, readbacks: 0 };
  }
  /** Typed arrays go to the garbage collector; nothing is pooled. */
  poolBytes(): number {
    return 0;
  }
  dispose(): void {}

  // Issue 9: shape ops
  stridedRead(x: Storage, offset: number, strides: readonly number[], outShape: readonly number[]): Storage {
    return stridedRead(cpu(x), offset, strides, outShape);
  }
  stridedInto(
    dst: Storage,
    dstOffset: number,
    dstStrides: readonly number[],
    src: Storage,
    srcStrides: readonly number[],
    shape: readonly number[],
  ): void {
    stridedInto(cpu(dst), dstOffset, dstStrides, cpu(src), srcStrides, shape);
  }
  // Issue 9: scans, sorting, scatter
  scan(op: ScanOp, x: Storage, outer: number, size: number, inner: number, reverse: boolean): Storage {
    return scan(op, cpu(x), outer, size, inner, reverse);
  }
  sort(
    x: Storage,
    rows: number,
    size: number,
    descending: boolean,
    k: number,
  ): { values: Storage; indices: Storage } {
    return sort(cpu(x), rows, size, descending, k);
  }
  bincount(x: Storage, length: number): Storage {
    return bincount(cpu(x), length);
  }
  segmentSum(data: Storage, ids: Storage, rows: number, inner: number, numSegments: number): Storage {
    return segmentSum(cpu(data), cpu(ids), rows, inner, numSegments);
  }
  randint(key: PhiloxKey, counter: number, length: number, low: number, high: number): Storage {
    return randint(this.F, key, counter, length, low, high);
  }

  // Linear algebra
  cholesky(x: Storage, batch: number, n: number): { factor: Storage; info: Storage } {
    return linalg.cholesky(cpu(x), batch, n);
  }
  triangularSolve(
    a: Storage,
    b: Storage,
    batch: number,
    n: number,
    k: number,
    opts: TriangularSolveOptions,
  ): Storage {
    return linalg.triangularSolve(cpu(a), cpu(b), batch, n, k, opts);
  }
  lu(x: Storage, batch: number, n: number): { lu: Storage; perm: Storage; sign: Storage } {
    return linalg.lu(cpu(x), batch, n);
  }

  // Issue 10: eigh and svd (Jacobi rotations)
  eigh(x: Storage, batch: number, n: number): { values: Storage; vectors: Storage } {
    return jacobi.eigh(cpu(x), batch, n);
  }
  svd(x: Storage, batch: number, m: number, n: number): { u: Storage; s: Storage; vt: Storage } {
    return jacobi.svd(cpu(x), batch, m, n);
  }
  // Linear algebra: QR, blocked LU panels (issue 10)
  qr(x: Storage, batch: number, m: number, n: number): { q: Storage; r: Storage } {
    return qr(cpu(x), batch, m, n);
  }
  luPanel(x: Storage, batch: number, m: number, b: number): { lu: Storage; perm: Storage; sign: Storage } {
    return linalg.luPanel(cpu(x), batch, m, b);
  }
  // Linear algebra: the blocked QR's panel (issue 10)
  qrPanel(x: Storage, batch: number, m: number, b: number): { v: Storage; t: Storage; r: Storage } {
    return qrPanel(cpu(x), batch, m, b);
  }
  // Statistics
  histogram(x: Storage, edges: Storage, bins: number, uniform: boolean): Storage {
    return statsKernels.histogram(cpu(x), cpu(edges), bins, uniform);
  }
  orderStatistics(x: Storage, rows: number, size: number, ranks: readonly number[]): Storage {
    return statsKernels.orderStatistics(cpu(x), rows, size, ranks);
  }
  // Probability: special functions and samplers
  special(op: SpecialOp, operands: readonly Operand[], outShape: readonly number[]): Storage {
    return special(op, operands, outShape);
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
    return sample(this.F, family, params.map(cpu), batch, length, key, counter, width);
  }
}

export type { Operand };
