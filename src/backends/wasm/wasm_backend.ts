// The WebAssembly backend: storage in one WebAssembly.Memory, SIMD128 kernels for the hot ops (matmul,
// reductions, elementwise, softmax, optimiser steps), and the TypeScript kernels for the rest, reading the
// memory through Float32Array views and copying their results in. Same meaning as the TypeScript backend.
import {
  type Backend,
  type BackendStats,
  type BinaryOp,
  type MatmulPlan,
  type Operand,
  type OptimizerHyper,
  type OptimizerRule,
  type ReduceOp,
  type SamplerFamily,
  type ScanOp,
  type SoftmaxMode,
  type SpecialOp,
  type Storage,
  type TriangularSolveOptions,
  type UnaryOp,
} from '../backend';
import type { PhiloxKey } from '../../random';
import * as ts from '../cpu/elementwise';
import { sample as tsSample } from '../cpu/distributions';
import * as tsJacobi from '../cpu/jacobi';
import { qr as tsQr, qrPanel as tsQrPanel } from '../cpu/linalg_qr';
import { reduce as tsReduce, softmax as tsSoftmax } from '../cpu/reduce';
import { scan as tsScan, sort as tsSort } from '../cpu/scan';
import * as tsScatter from '../cpu/scatter';
import { stridedInto as tsStridedInto, stridedRead as tsStridedRead } from '../cpu/shape';
import { special as tsSpecial } from '../cpu/special';
import * as tsStats from '../cpu/stats';
import type { CpuStorage } from '../cpu/storage';
import { describe, GradboxError } from '../../errors';
import { forEachBlock } from './broadcast';
import { gemm } from './gemm';
import { CONSTANTS, Heap, RESERVED } from './heap';
import { gather, oneHot, philoxFill } from './layout';
import { choleskyBatch, luBatch, triangularSolveBatch } from './linalg';
import { SIMD_BINARY, SIMD_UNARY } from './kernels/elementwise';
import { DEFAULT_TILE, type MatmulTile } from './kernels/matmul';
import { compiledModule, instantiate, type Kernels } from './module';
import { type Task, ThreadPool, threadsAvailable } from './threads';
import { relaxedSimdAvailable, wasmSimdMissing } from './support';
import { asWasm as w, WasmStorage } from './storage';

/** Options of the wasm backend. */
export interface WasmOptions {
  /**
   * Threads to run large kernels on (this one included). Default: one per core, up to 16, where threads
   * exist (shared memory: Node, or a cross-origin-isolated page); 1 runs everything on this thread.
   */
  threads?: number;
  /** Use relaxed SIMD's multiply-add where the engine has it (default true; false for tests). @internal */
  fma?: boolean;
}

/** Elementwise work (elements) from which a kernel is shared among threads. */
const PARALLEL_ELEMENTS = 1 << 16;

export class WasmBackend implements Backend {
  readonly name = 'wasm' as const;
  readonly description: string;
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
    /** Workers sharing the memory, or null for one thread. @internal */
    readonly pool: ThreadPool | null,
    threadNote: string,
    /** Whether the kernels use relaxed SIMD's multiply-add. @internal */
    readonly fma: boolean,
  ) {
    this.heap = heap;
    const threads = pool?.threads ?? 1;
    const fmaNote = fma ? ', relaxed-SIMD multiply-add' : '';
    this.description = `WebAssembly SIMD on the CPU (float32${fmaNote}, ${threads} thread${threads > 1 ? 's' : ''}${threadNote})`;
  }

  /** A backend with its own memory (and threads where they exist); throws where WebAssembly SIMD is missing. */
  static async create(options: WasmOptions = {}): Promise<WasmBackend> {
    const missing = wasmSimdMissing();
    if (missing !== null) {
      throw new GradboxError(
        `the wasm backend cannot start: ${missing}. Use { backend: 'cpu' }, which takes the TypeScript ` +
          'backend where WebAssembly SIMD is missing.',
      );
    }
    const wanted = options.threads;
    if (wanted !== undefined && !(Number.isInteger(wanted) && wanted >= 1)) {
      throw new GradboxError(`createContext: threads must be an integer >= 1, got ${describe(wanted)}`);
    }
    const fma = options.fma !== false && relaxedSimdAvailable();
    const available = await threadsAvailable();
    const threads = Math.min(wanted ?? available.count, available.count);
    // Why there is one thread, when more were possible or asked for.
    let note = threads === 1 && wanted !== 1 ? `: ${available.why}` : '';
    if (threads > 1) {
      // Shared memory and workers; anything failing on the way (a refused reservation, a worker that
      // cannot start) leaves one thread, and the description says why.
      try {
        const heap = new Heap(true);
        const module = await compiledModule({ shared: true, fma });
        const names = WebAssembly.Module.exports(module).map((e) => e.name);
        const pool = await ThreadPool.start(module, heap.memory, names, threads - 1);
        return WasmBackend.started(heap, await instantiate(module, heap.memory), pool, '', fma);
      } catch (e) {
        note = `: threads could not start (${(e as Error).message})`;
      }
    }
    const heap = new Heap();
    const module = await compiledModule({ shared: false, fma });
    return WasmBackend.started(heap, await instantiate(module, heap.memory), null, note, fma);
  }

  private static started(
    heap: Heap,
    kernels: Kernels,
    pool: ThreadPool | null,
    note: string,
    fma: boolean,
  ): WasmBackend {
    const backend = new WasmBackend(heap, kernels, pool, note, fma);
    backend.warmUp();
    return backend;
  }

  /**
   * Runs the hot kernels once on small inputs. V8 compiles a WebAssembly function on its first call and
   * optimises it once it has run a while; doing both here (a few ms) keeps them out of the first real
   * calls, e.g. the first training steps or 'auto''s calibration probe.
   */
  private warmUp(): void {
    const n = 64;
    const x = this.upload(Float32Array.from({ length: n * n }, (_, i) => Math.sin(i)));
    const plain = { batch: 0, row: n, col: 1 };
    const plan = { batch: 1, M: n, K: n, N: n, a: plain, b: plain };
    const outs: Storage[] = [];
    for (let i = 0; i < 4; i++) outs.push(this.matmul(x, x, plan));
    outs.push(this.matmul(x, x, { ...plan, M: 1 }), this.matmul(x, x, { ...plan, N: 1, a: plain }));
    const operand = { data: x, strides: [n, 1] };
    outs.push(this.binary('add', operand, { data: x, strides: [0, 1] }, [n, n]));
    outs.push(this.binary('mul', operand, 2, [n, n]), this.unary('relu', x), this.unary('exp', x));
    for (const op of ['sum', 'max'] as const)
      outs.push(this.reduce(op, x, n, n, 1), this.reduce(op, x, 1, n, n));
    for (const mode of ['softmax', 'logSoftmax', 'logSumExp'] as const)
      outs.push(this.softmax(mode, x, n, n, 1));
    const [p, g, m, v] = [this.fill(1, n), this.fill(0.5, n), this.fill(0, n), this.fill(0, n)];
    const hyper = {
      lr: 0,
      weightDecay: 0,
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      correction1: 1,
      correction2: 1,
    };
    this.optimizerStep('adam', p, g, m, v, hyper);
    for (const s of [x, p, g, m, v, ...outs]) this.free(s);
    Object.assign(this.counters, { dispatches: 0, submits: 0, copies: 0, uploads: 0, readbacks: 0 });
  }

  /**
   * Runs `task(from, to)` over [0, n): in one call, or where threads exist and `work` (elements touched)
   * is large enough, in one share per thread (waking workers costs tens of microseconds).
   */
  private split(n: number, work: number, task: (from: number, to: number) => Task): void {
    const parts = this.pool && work >= PARALLEL_ELEMENTS ? Math.min(this.pool.threads, n) : 1;
    if (parts <= 1) {
      const t = task(0, n);
      this.kernels[t.fn](...t.args);
      return;
    }
    const tasks: Task[] = [];
    for (let t = 0; t < parts; t++) {
      const from = Math.floor((n * t) / parts);
      const to = Math.floor((n * (t + 1)) / parts);
      if (to > from) tasks.push(task(from, to));
    }
    this.pool!.run(this.kernels, tasks);
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
    this.counters.dispatches++;
    const out = this.alloc(length);
    philoxFill(this.kernels, this.heap, out, key, counter, { dist });
    return out;
  }

  unary(op: UnaryOp, x: Storage): Storage {
    this.counters.dispatches++;
    if (!SIMD_UNARY[op]) return this.adopt(ts.unary(op, w(x)));
    const out = this.alloc(x.length);
    const src = w(x).ptr;
    this.split(x.length, x.length, (from, to) => ({
      fn: `unary_${op}`,
      args: [src + from * 4, out.ptr + from * 4, to - from],
    }));
    return out;
  }
  binary(op: BinaryOp, a: Operand, b: Operand, outShape: readonly number[]): Storage {
    this.counters.dispatches++;
    if (!SIMD_BINARY[op]) return this.adopt(ts.binary(op, a, b, outShape));
    const out = this.alloc(outShape.reduce((x, y) => x * y, 1));
    const constAt = (which: 0 | 1, value: number) => {
      this.heap.f32[CONSTANTS / 4 + which] = value;
      return CONSTANTS + 4 * which;
    };
    const fn = `binary_${op}`;
    // Each block of rows x n: shares of rows, or of the columns of a single row.
    forEachBlock(a, b, outShape, out, constAt, (pa, aRow, aCol, pb, bRow, bCol, po, rows, n) => {
      if (rows > 1 || !this.pool) {
        this.split(rows, rows * n, (r0, r1) => ({
          fn,
          args: [pa + r0 * aRow, aRow, aCol, pb + r0 * bRow, bRow, bCol, po + r0 * n * 4, r1 - r0, n],
        }));
      } else {
        this.split(n, n, (c0, c1) => ({
          fn,
          args: [pa + c0 * aCol, aRow, aCol, pb + c0 * bCol, bRow, bCol, po + c0 * 4, 1, c1 - c0],
        }));
      }
    });
    return out;
  }
  where(cond: Operand, a: Operand, b: Operand, outShape: readonly number[]): Storage {
    this.counters.dispatches++;
    return this.adopt(ts.where(cond, a, b, outShape));
  }
  matmul(a: Storage, b: Storage, plan: MatmulPlan): Storage {
    this.counters.dispatches++;
    const out = this.alloc(plan.batch * plan.M * plan.N);
    gemm(this, w(a), w(b), out, plan);
    return out;
  }
  reduce(op: ReduceOp, x: Storage, outer: number, size: number, inner: number): Storage {
    this.counters.dispatches++;
    const kind = op === 'mean' ? 'sum' : op;
    if ((kind !== 'sum' && kind !== 'max' && kind !== 'min') || size === 0) {
      return this.adopt(tsReduce(op, w(x), outer, size, inner));
    }
    const out = this.alloc(outer * inner);
    const src = w(x).ptr;
    const mean = op === 'mean' ? 1 : 0;
    if (inner === 1) {
      const rows = (r0: number, r1: number, len: number, to: number, m: number): Task => ({
        fn: `reduce_rows_${kind}`,
        args: [src + r0 * len * 4, r1 - r0, len, to + r0 * 4, m],
      });
      if (outer > 1 || !this.pool || size < PARALLEL_ELEMENTS) {
        this.split(outer, outer * size, (r0, r1) => rows(r0, r1, size, out.ptr, mean));
        return out;
      }
      // One long row: equal pieces reduced in parallel (what is left over here), then combined.
      const parts = this.pool.threads;
      const len = Math.floor(size / parts);
      const tail = size - parts * len;
      const partial = this.heap.alloc((parts + 1) * 4);
      this.split(parts, size, (r0, r1) => rows(r0, r1, len, partial, 0));
      if (tail > 0)
        this.kernels[`reduce_rows_${kind}`](src + parts * len * 4, 1, tail, partial + parts * 4, 0);
      const pieces = this.heap.f32.subarray(partial / 4, partial / 4 + parts + (tail > 0 ? 1 : 0));
      let r: number;
      if (kind === 'sum') {
        r = pieces.reduce((acc, v) => acc + v, 0);
        if (mean) r /= size;
      } else {
        const pick = kind === 'max' ? Math.max : Math.min; // NaN-propagating, as the kernels
        r = pieces.reduce((acc, v) => pick(acc, v));
      }
      this.heap.f32[out.ptr / 4] = r;
      this.heap.free(partial);
      return out;
    }
    const acc64 = kind === 'sum' ? this.heap.alloc(inner * 8) : 0;
    for (let o = 0; o < outer; o++) {
      const from = src + o * size * inner * 4;
      const to = out.ptr + o * inner * 4;
      if (kind === 'sum') this.kernels.reduce_cols_sum(from, size, inner, to, acc64, mean);
      else this.kernels[`reduce_cols_${kind}`](from, size, inner, to);
    }
    if (acc64) this.heap.free(acc64);
    return out;
  }
  softmax(mode: SoftmaxMode, x: Storage, outer: number, size: number, inner: number): Storage {
    this.counters.dispatches++;
    if (inner !== 1 || size === 0) return this.adopt(tsSoftmax(mode, w(x), outer, size, inner));
    const out = this.alloc(mode === 'logSumExp' ? outer : outer * size);
    const src = w(x).ptr;
    const perRow = mode === 'logSumExp' ? 1 : size;
    // e^x makes this compute-bound: shares pay from a quarter of the elementwise threshold.
    this.split(outer, 4 * outer * size, (r0, r1) => ({
      fn: `${mode}_rows`,
      args: [src + r0 * size * 4, r1 - r0, size, out.ptr + r0 * perRow * 4],
    }));
    return out;
  }
  strided(x: Storage, strides: readonly number[], outShape: readonly number[]): Storage {
    this.counters.dispatches++;
    return this.adopt(ts.strided(w(x), strides, outShape));
  }
  gather(x: Storage, indices: Storage, outer: number, size: number, inner: number): Storage {
    this.counters.dispatches++;
    const out = this.alloc(outer * indices.length * inner);
    gather(w(x), w(indices), out, outer, size, inner);
    return out;
  }
  oneHot(indices: Storage, depth: number): Storage {
    this.counters.dispatches++;
    const out = this.alloc(indices.length * depth);
    oneHot(w(indices), out, depth);
    return out;
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
    const h = hyper;
    this.kernels[`optim_${rule}`](
      w(params).ptr,
      w(grads).ptr,
      w(m).ptr,
      w(v).ptr,
      params.length,
      h.lr,
      h.weightDecay,
      h.beta1,
      1 - h.beta1,
      h.beta2,
      1 - h.beta2,
      h.eps,
      h.correction1,
      h.correction2,
    );
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
  /** Stops the workers; the memory goes to the garbage collector with the backend. */
  dispose(): void {
    this.pool?.dispose();
  }

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
    this.counters.dispatches++;
    const out = this.alloc(length);
    philoxFill(this.kernels, this.heap, out, key, counter, { low, high });
    return out;
  }

  // Linear algebra: LU, Cholesky and triangular solves recursive in the memory (./linalg.ts), one matrix of
  // the batch at a time.
  cholesky(x: Storage, batch: number, n: number): { factor: Storage; info: Storage } {
    this.counters.dispatches++;
    const factor = this.alloc(batch * n * n);
    const info = this.alloc(batch);
    choleskyBatch(this, w(x).ptr, factor.ptr, info.ptr, batch, n);
    return { factor, info };
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
    const out = this.alloc(batch * n * k);
    out.data.set(w(b).data);
    triangularSolveBatch(this, w(a).ptr, out.ptr, batch, n, k, opts);
    return out;
  }
  lu(x: Storage, batch: number, n: number): { lu: Storage; perm: Storage; sign: Storage } {
    return this.luPanel(x, batch, n, n);
  }

  // Linear algebra (issue 10), statistics, probability: the TypeScript kernels over views of the memory.
  eigh(x: Storage, batch: number, n: number): { values: Storage; vectors: Storage } {
    this.counters.dispatches++;
    const r = tsJacobi.eigh(w(x), batch, n);
    return { values: this.adopt(r.values), vectors: this.adopt(r.vectors) };
  }
  svd(x: Storage, batch: number, m: number, n: number): { u: Storage; s: Storage; vt: Storage } {
    this.counters.dispatches++;
    const r = tsJacobi.svd(w(x), batch, m, n);
    return { u: this.adopt(r.u), s: this.adopt(r.s), vt: this.adopt(r.vt) };
  }
  qr(x: Storage, batch: number, m: number, n: number): { q: Storage; r: Storage } {
    this.counters.dispatches++;
    const r = tsQr(w(x), batch, m, n);
    return { q: this.adopt(r.q), r: this.adopt(r.r) };
  }
  luPanel(x: Storage, batch: number, m: number, b: number): { lu: Storage; perm: Storage; sign: Storage } {
    this.counters.dispatches++;
    const lu = this.alloc(batch * m * b);
    const perm = this.alloc(batch * m);
    const sign = this.alloc(batch);
    lu.data.set(w(x).data);
    luBatch(this, lu.ptr, batch, m, b, perm.ptr, sign.ptr);
    return { lu, perm, sign };
  }
  // Linear algebra: the blocked QR's panel (issue 10)
  qrPanel(x: Storage, batch: number, m: number, b: number): { v: Storage; t: Storage; r: Storage } {
    this.counters.dispatches++;
    const r = tsQrPanel(w(x), batch, m, b);
    return { v: this.adopt(r.v), t: this.adopt(r.t), r: this.adopt(r.r) };
  }
  histogram(x: Storage, edges: Storage, bins: number, uniform: boolean): Storage {
    this.counters.dispatches++;
    return this.adopt(tsStats.histogram(w(x), w(edges), bins, uniform));
  }
  orderStatistics(x: Storage, rows: number, size: number, ranks: readonly number[]): Storage {
    this.counters.dispatches++;
    return this.adopt(tsStats.orderStatistics(w(x), rows, size, ranks));
  }
  special(op: SpecialOp, operands: readonly Operand[], outShape: readonly number[]): Storage {
    this.counters.dispatches++;
    return this.adopt(tsSpecial(op, operands, outShape));
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
    this.counters.dispatches++;
    return this.adopt(tsSample(Float32Array, family, params.map(w), batch, length, key, counter, width));
  }
}
