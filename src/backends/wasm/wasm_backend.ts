// The WebAssembly backend: storage in one WebAssembly.Memory, SIMD128 kernels for the hot ops (matmul,
// reductions, elementwise, softmax, optimiser steps), and the TypeScript kernels for the rest, reading the
// memory through Float32Array views and copying their results in. Same meaning as the TypeScript backend.
import type {
  Backend,
  BackendStats,
  BinaryOp,
  MatmulPlan,
  Operand,
  OptimizerHyper,
  OptimizerRule,
  ReduceOp,
  ScanOp,
  SoftmaxMode,
  Storage,
  TriangularSolveOptions,
  UnaryOp,
} from '../backend';
import type { PhiloxKey } from '../../random';
import * as ts from '../cpu/elementwise';
import * as tsLayout from '../cpu/layout';
import * as tsLinalg from '../cpu/linalg';
import { optimizerStep as tsOptimizerStep } from '../cpu/optim';
import { reduce as tsReduce, softmax as tsSoftmax } from '../cpu/reduce';
import { scan as tsScan, sort as tsSort } from '../cpu/scan';
import * as tsScatter from '../cpu/scatter';
import { stridedInto as tsStridedInto, stridedRead as tsStridedRead } from '../cpu/shape';
import type { CpuStorage } from '../cpu/storage';
import { GradboxError } from '../../errors';
import { gemm } from './gemm';
import { Heap, RESERVED } from './heap';
import { DEFAULT_TILE, type MatmulTile } from './kernels/matmul';
import { instantiate, type Kernels } from './module';
import { wasmSimdMissing } from './support';
import { asWasm as w, WasmStorage } from './storage';

export class WasmBackend implements Backend {
  readonly name = 'wasm' as const;
  readonly description = 'WebAssembly SIMD on the CPU (float32)';
  /** Memory on the host cannot be lost. */
  readonly lost = new Promise<string>(() => {});
  readonly gpu = null;
  readonly heap: Heap;
  private readonly counters: BackendStats = {
    dispatches: 0,
    submits: 0,
    copies: 0,
    uploads: 0,
    readbacks: 0,
  };
  /** Bytes of the elements of live storage (what gb.memory().bytes counts). */
  private heldBytes = 0;

  /** The micro-kernel tile matmul uses (a module may hold several, for tuning). @internal */
  tile: MatmulTile = DEFAULT_TILE;

  private constructor(
    heap: Heap,
    /** The module's kernels over this backend's memory. @internal */
    readonly kernels: Kernels,
  ) {
    this.heap = heap;
  }

  /** A backend with its own memory; throws where WebAssembly SIMD is missing. */
  static async create(): Promise<WasmBackend> {
    const missing = wasmSimdMissing();
    if (missing !== null) {
      throw new GradboxError(
        `the wasm backend cannot start: ${missing}. Use { backend: 'cpu' }, which takes the TypeScript ` +
          'backend where WebAssembly SIMD is missing.',
      );
    }
    const heap = new Heap();
    return new WasmBackend(heap, await instantiate(heap.memory));
  }

  /** New storage of `length` elements (contents undefined: a reused block keeps old values). */
  private alloc(length: number): WasmStorage {
    const out = new WasmStorage(this.heap, this.heap.alloc(length * 4), length, true);
    this.heldBytes += length * 4;
    return out;
  }

  /** Copies a TypeScript kernel's result into new storage. */
  private adopt(r: CpuStorage): WasmStorage {
    const out = this.alloc(r.length);
    out.data.set(r.data);
    return out;
  }

  upload(data: Float32Array): Storage {
    this.counters.uploads++;
    const out = this.alloc(data.length);
    out.data.set(data);
    return out;
  }
  async read(x: Storage): Promise<Float32Array> {
    this.counters.readbacks++;
    return w(x).data.slice();
  }
  /** The stored values, synchronously (a copy). @internal */
  readSync(x: Storage): Float32Array {
    return w(x).data.slice();
  }
  free(x: Storage): void {
    const s = w(x);
    if (!s.owner) return;
    this.heap.free(s.ptr);
    this.heldBytes -= s.length * 4;
  }
  bytes(x: Storage): number {
    return x.length * 4;
  }
  fill(value: number, length: number): Storage {
    const out = this.alloc(length);
    out.data.fill(value);
    return out;
  }
  random(dist: 'uniform' | 'normal', key: PhiloxKey, counter: number, length: number): Storage {
    return this.adopt(tsLayout.random(Float32Array, dist, key, counter, length));
  }

  unary(op: UnaryOp, x: Storage): Storage {
    this.counters.dispatches++;
    return this.adopt(ts.unary(op, w(x)));
  }
  binary(op: BinaryOp, a: Operand, b: Operand, outShape: readonly number[]): Storage {
    this.counters.dispatches++;
    return this.adopt(ts.binary(op, a, b, outShape));
  }
  where(cond: Operand, a: Operand, b: Operand, outShape: readonly number[]): Storage {
    this.counters.dispatches++;
    return this.adopt(ts.where(cond, a, b, outShape));
  }
  matmul(a: Storage, b: Storage, plan: MatmulPlan): Storage {
    this.counters.dispatches++;
    const out = this.alloc(plan.batch * plan.M * plan.N);
    gemm(this.kernels, this.heap, this.tile, w(a), w(b), out, plan);
    return out;
  }
  reduce(op: ReduceOp, x: Storage, outer: number, size: number, inner: number): Storage {
    this.counters.dispatches++;
    return this.adopt(tsReduce(op, w(x), outer, size, inner));
  }
  softmax(mode: SoftmaxMode, x: Storage, outer: number, size: number, inner: number): Storage {
    this.counters.dispatches++;
    return this.adopt(tsSoftmax(mode, w(x), outer, size, inner));
  }
  strided(x: Storage, strides: readonly number[], outShape: readonly number[]): Storage {
    this.counters.dispatches++;
    return this.adopt(ts.strided(w(x), strides, outShape));
  }
  gather(x: Storage, indices: Storage, outer: number, size: number, inner: number): Storage {
    this.counters.dispatches++;
    return this.adopt(tsLayout.gather(w(x), w(indices), outer, size, inner));
  }
  oneHot(indices: Storage, depth: number): Storage {
    this.counters.dispatches++;
    return this.adopt(tsLayout.oneHot(w(indices), depth));
  }
  view(x: Storage, offset: number, length: number): Storage {
    const s = w(x);
    return new WasmStorage(this.heap, s.ptr + offset * 4, length, false);
  }
  copyInto(dst: Storage, at: number, src: Storage): void {
    this.counters.copies++;
    const d = w(dst);
    const s = w(src);
    this.heap.f32.copyWithin((d.ptr >>> 2) + at, s.ptr >>> 2, (s.ptr >>> 2) + s.length);
  }
  optimizerStep(
    rule: OptimizerRule,
    params: Storage,
    grads: Storage,
    m: Storage,
    v: Storage,
    hyper: OptimizerHyper,
  ): void {
    this.counters.dispatches++;
    tsOptimizerStep(rule, w(params), w(grads), w(m), w(v), hyper);
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
    return { ...this.counters };
  }
  /** Bytes of the memory that no storage holds: free blocks, rounding, and never-used space above the top. */
  poolBytes(): number {
    return this.heap.capacity - RESERVED - this.heldBytes;
  }
  /** Storage is owned by the memory, which the garbage collector takes with the backend. */
  dispose(): void {}

  // Issue 9: shape ops
  stridedRead(x: Storage, offset: number, strides: readonly number[], outShape: readonly number[]): Storage {
    this.counters.dispatches++;
    return this.adopt(tsStridedRead(w(x), offset, strides, outShape));
  }
  stridedInto(
    dst: Storage,
    dstOffset: number,
    dstStrides: readonly number[],
    src: Storage,
    srcStrides: readonly number[],
    shape: readonly number[],
  ): void {
    this.counters.dispatches++;
    tsStridedInto(w(dst), dstOffset, dstStrides, w(src), srcStrides, shape);
  }
  // Issue 9: scans, sorting, scatter
  scan(op: ScanOp, x: Storage, outer: number, size: number, inner: number, reverse: boolean): Storage {
    this.counters.dispatches++;
    return this.adopt(tsScan(op, w(x), outer, size, inner, reverse));
  }
  sort(
    x: Storage,
    rows: number,
    size: number,
    descending: boolean,
    k: number,
  ): { values: Storage; indices: Storage } {
    this.counters.dispatches++;
    const r = tsSort(w(x), rows, size, descending, k);
    return { values: this.adopt(r.values), indices: this.adopt(r.indices) };
  }
  bincount(x: Storage, length: number): Storage {
    this.counters.dispatches++;
    return this.adopt(tsScatter.bincount(w(x), length));
  }
  segmentSum(data: Storage, ids: Storage, rows: number, inner: number, numSegments: number): Storage {
    this.counters.dispatches++;
    return this.adopt(tsScatter.segmentSum(w(data), w(ids), rows, inner, numSegments));
  }
  randint(key: PhiloxKey, counter: number, length: number, low: number, high: number): Storage {
    return this.adopt(tsScatter.randint(Float32Array, key, counter, length, low, high));
  }

  // Linear algebra
  cholesky(x: Storage, batch: number, n: number): { factor: Storage; info: Storage } {
    this.counters.dispatches++;
    const r = tsLinalg.cholesky(w(x), batch, n);
    return { factor: this.adopt(r.factor), info: this.adopt(r.info) };
  }
  triangularSolve(
    a: Storage,
    b: Storage,
    batch: number,
    n: number,
    k: number,
    opts: TriangularSolveOptions,
  ): Storage {
    this.counters.dispatches++;
    return this.adopt(tsLinalg.triangularSolve(w(a), w(b), batch, n, k, opts));
  }
  lu(x: Storage, batch: number, n: number): { lu: Storage; perm: Storage; sign: Storage } {
    this.counters.dispatches++;
    const r = tsLinalg.lu(w(x), batch, n);
    return { lu: this.adopt(r.lu), perm: this.adopt(r.perm), sign: this.adopt(r.sign) };
  }
}
