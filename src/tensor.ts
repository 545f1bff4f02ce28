// Tensor: an n-dimensional float32 array that lives on one context's backend.
// Ops are methods that call src/ops; they enqueue work and return at once. Only data() waits.
import type { Storage } from './backends/backend';
import type { Context } from './context';
import { fmtShape, GradboxError } from './errors';
import { type NestedArray, unflatten } from './nested';
import * as ew from './ops/elementwise';
import type { TensorLike } from './ops/inputs';
import * as layout from './ops/layout';
import { matmul } from './ops/matmul';
import type { Allocation } from './registry';
import { assign } from './ops/optim';
import { type Axes, reduce, softmaxFamily } from './ops/reduce';
import * as scan from './ops/scan';
import * as scatter from './ops/scatter';
import { sizeOf } from './shape';

let nextId = 1;

/** An n-dimensional array of float32 values on a context's backend (WebGPU or CPU). */
export class Tensor {
  /** Length of each axis; `[]` for a scalar. */
  readonly shape: readonly number[];
  /** Number of elements. */
  readonly size: number;
  /** Element type. gradbox computes in float32; indices (argmax, gather) are float32 integers. */
  readonly dtype = 'float32' as const;
  /** A unique number, handy in debugging output. */
  readonly id = nextId++;
  /** @internal */
  alloc: Allocation | null;

  /** @internal Use the context's creation methods (gb.tensor, gb.zeros, ...) instead. */
  constructor(
    readonly ctx: Context,
    alloc: Allocation,
    shape: readonly number[],
  ) {
    this.alloc = alloc;
    this.shape = Object.freeze([...shape]);
    this.size = sizeOf(shape);
  }

  /** Number of axes. */
  get rank(): number {
    return this.shape.length;
  }

  /** True once dispose() ran (directly, through tidy, or through gb.dispose()). */
  get isDisposed(): boolean {
    return this.alloc === null;
  }

  /** @internal The backend storage, after checking that the tensor can still be used. */
  storage(op: string): Storage {
    const alloc = this.alloc;
    if (!alloc) {
      throw new GradboxError(
        `${op}: tensor ${fmtShape(this.shape)} #${this.id} was disposed and cannot be used. If tidy() freed it, ` +
          'return it from the tidy function or call gb.keep(t) inside.',
      );
    }
    if (alloc.backend !== this.ctx.engine) {
      throw new GradboxError(
        `${op}: tensor ${fmtShape(this.shape)} #${this.id} lived on the ${alloc.backend.name} backend, which ` +
          `this context left (${this.ctx.backendReason}); its data is gone. Create it again.`,
      );
    }
    return alloc.storage;
  }

  /**
   * The GPUBuffer holding this tensor's elements, for your own WebGPU code (WebGPU backend only). The
   * elements (row-major float32) start at byte `bufferOffset`, which is not 0 for a parameter packed into an
   * optimiser's flat buffer: bind `{ buffer: t.buffer, offset: t.bufferOffset, size: t.size * 4 }`.
   * gradbox batches its work: call gb.flush() before submitting your own commands that read the buffer.
   */
  get buffer(): GPUBuffer {
    return this.binding('buffer').buffer;
  }

  /** Where this tensor's elements start in `buffer`, in bytes (a multiple of 256). */
  get bufferOffset(): number {
    return this.binding('bufferOffset').offset;
  }

  private binding(op: string): { buffer: GPUBuffer; offset: number } {
    const storage = this.storage(op);
    const gpu = this.ctx.engine.gpu;
    if (!gpu) {
      throw new GradboxError(
        `${op}: this tensor is on the ${this.ctx.engine.name} backend, which has no GPUBuffer; ` +
          "create the context with { backend: 'webgpu' } for WebGPU interop",
      );
    }
    return gpu.binding(storage);
  }

  /** Waits for the result and copies it to a new Float32Array (row-major). */
  async data(): Promise<Float32Array> {
    return this.ctx.engine.read(this.storage('data'));
  }

  /** Waits for the result as nested arrays (a number for a scalar). */
  async toArray(): Promise<NestedArray> {
    return unflatten(await this.data(), this.shape);
  }

  /** Waits for the single value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) {
      throw new GradboxError(`item: needs a tensor with one element, got shape ${fmtShape(this.shape)}`);
    }
    return (await this.data())[0];
  }

  /** Frees the storage (once the last view of it is disposed). Safe to call twice. */
  dispose(): void {
    this.ctx.release(this);
  }

  toString(): string {
    return `Tensor${fmtShape(this.shape)} #${this.id} on ${this.ctx.engine.name}${this.alloc ? '' : ' (disposed)'}`;
  }

  // Elementwise, broadcasting like NumPy; a number operand is a scalar.
  add(b: TensorLike): Tensor {
    return ew.binary('add', this, b);
  }
  sub(b: TensorLike): Tensor {
    return ew.binary('sub', this, b);
  }
  mul(b: TensorLike): Tensor {
    return ew.binary('mul', this, b);
  }
  div(b: TensorLike): Tensor {
    return ew.binary('div', this, b);
  }
  pow(b: TensorLike): Tensor {
    return ew.binary('pow', this, b);
  }
  maximum(b: TensorLike): Tensor {
    return ew.binary('maximum', this, b);
  }
  minimum(b: TensorLike): Tensor {
    return ew.binary('minimum', this, b);
  }
  /** 1 where this > b, else 0. */
  greater(b: TensorLike): Tensor {
    return ew.binary('greater', this, b);
  }
  greaterEqual(b: TensorLike): Tensor {
    return ew.binary('greaterEqual', this, b);
  }
  less(b: TensorLike): Tensor {
    return ew.binary('less', this, b);
  }
  lessEqual(b: TensorLike): Tensor {
    return ew.binary('lessEqual', this, b);
  }
  equal(b: TensorLike): Tensor {
    return ew.binary('equal', this, b);
  }
  notEqual(b: TensorLike): Tensor {
    return ew.binary('notEqual', this, b);
  }
  /** Elementwise `this != 0 ? a : b`. */
  where(a: TensorLike, b: TensorLike): Tensor {
    return ew.where(this, a, b);
  }

  neg(): Tensor {
    return ew.unary('neg', this);
  }
  abs(): Tensor {
    return ew.unary('abs', this);
  }
  exp(): Tensor {
    return ew.unary('exp', this);
  }
  log(): Tensor {
    return ew.unary('log', this);
  }
  sqrt(): Tensor {
    return ew.unary('sqrt', this);
  }
  square(): Tensor {
    return ew.unary('square', this);
  }
  tanh(): Tensor {
    return ew.unary('tanh', this);
  }
  sigmoid(): Tensor {
    return ew.unary('sigmoid', this);
  }
  relu(): Tensor {
    return ew.unary('relu', this);
  }
  /** log(1 + exp(x)), computed stably; its derivative is sigmoid(x). */
  softplus(): Tensor {
    return ew.unary('softplus', this);
  }
  /**
   * Overwrites this tensor's values with those of `src` (same shape), in place: for loading weights.
   * Not differentiable. Returns this tensor.
   */
  assign(src: Tensor): this {
    assign(this, src);
    return this;
  }

  /** A copy with its own storage. */
  clone(): Tensor {
    return ew.unary('copy', this);
  }

  /** Matrix product with NumPy's batching rules, e.g. (2,3,6,5) @ (5,7) -> (2,3,6,7). */
  matmul(b: Tensor): Tensor {
    return matmul(this, b);
  }
  /** Permutes axes; the default reverses them. */
  transpose(perm?: readonly number[]): Tensor {
    return layout.transpose(this, perm);
  }
  /** Same data, new shape (no copy); one dimension may be -1. */
  reshape(shape: readonly number[]): Tensor {
    return layout.reshape(this, shape);
  }
  /** Repeats the data along broadcast axes to reach `shape`. */
  broadcastTo(shape: readonly number[]): Tensor {
    return layout.broadcastTo(this, shape);
  }
  /** Elements at integer positions `indices` along `axis` (NumPy's take). */
  gather(indices: Tensor, axis = 0): Tensor {
    return layout.gather(this, indices, axis);
  }
  /** One-hot rows of length `depth` for the integer labels in this tensor. */
  oneHot(depth: number): Tensor {
    return layout.oneHot(this, depth);
  }

  /** Sum over all elements, one axis, or a list of axes. */
  sum(axes?: Axes, keepDims = false): Tensor {
    return reduce('sum', this, axes, keepDims);
  }
  mean(axes?: Axes, keepDims = false): Tensor {
    return reduce('mean', this, axes, keepDims);
  }
  max(axes?: Axes, keepDims = false): Tensor {
    return reduce('max', this, axes, keepDims);
  }
  min(axes?: Axes, keepDims = false): Tensor {
    return reduce('min', this, axes, keepDims);
  }
  /** Index of the largest element (first on ties) along one axis, or into the flattened tensor. */
  argmax(axis?: number, keepDims = false): Tensor {
    return reduce('argmax', this, axis, keepDims);
  }
  argmin(axis?: number, keepDims = false): Tensor {
    return reduce('argmin', this, axis, keepDims);
  }

  /** exp(x) / sum(exp(x)) along `axis`, computed stably. */
  softmax(axis = -1): Tensor {
    return softmaxFamily('softmax', this, axis);
  }
  /** x - logSumExp(x) along `axis`, computed stably. */
  logSoftmax(axis = -1): Tensor {
    return softmaxFamily('logSoftmax', this, axis);
  }
  /** log(sum(exp(x))) along `axis` (all elements when omitted), computed stably. */
  logSumExp(axis?: number, keepDims = false): Tensor {
    return softmaxFamily('logSumExp', this, axis, keepDims);
  }

  // Issue 9: scans, sorting, scatter
  /** Running sums along `axis`: out[k] = x[0] + ... + x[k]. */
  cumsum(axis = -1): Tensor {
    return scan.cumsum(this, axis);
  }
  /** Running products along `axis`. Its gradient is exact where the input has no zeros. */
  cumprod(axis = -1): Tensor {
    return scan.cumprod(this, axis);
  }
  /** Values sorted along `axis` (stable; NaN last in both orders). */
  sort(axis = -1, descending = false): Tensor {
    return scan.sort(this, axis, descending);
  }
  /** Positions that sort the values along `axis`; stable: equal values keep their order. NaN last. */
  argsort(axis = -1, descending = false): Tensor {
    return scan.argsort(this, axis, descending);
  }
  /** The k largest values along the last axis, largest first (ties: lower position first), and positions. */
  topk(k: number): { values: Tensor; indices: Tensor } {
    return scan.topk(this, k);
  }
  /** Counts of each integer 0..length-1 among all elements (exact); other values are ignored. */
  bincount(length: number): Tensor {
    return scatter.bincount(this, length);
  }
  /**
   * A new tensor: this one with the rows of `updates` added at `indices` along axis 0 (repeated indices
   * add up; indices that are not integers in range are ignored). updates: (indices.length, ...rest).
   */
  scatterAdd(indices: Tensor, updates: Tensor): Tensor {
    return scatter.scatterAdd(this, indices, updates);
  }
}
