// Tensor: an n-dimensional float32 array that lives on one context's backend.
// Ops are methods that call src/ops; they enqueue work and return at once. Only data() waits.
import type { Storage } from './backends/backend';
import { untracked } from './autodiff';
import type { Context } from './context';
import { fmtShape, GradboxError } from './errors';
import { type NestedArray, unflatten } from './nested';
import * as ew from './ops/elementwise';
import type { TensorLike } from './ops/inputs';
import * as layout from './ops/layout';
import * as blocks from './ops/linalg_blocks';
import * as shapeOps from './ops/shape';
import * as special from './ops/special';
import { matmul } from './ops/matmul';
import type { Allocation } from './registry';
import { assign } from './ops/optim';
import {
  all,
  any,
  type Axes,
  norm,
  type NormOrd,
  reduce,
  softmaxFamily,
  variance,
  type VarianceOptions,
} from './ops/reduce';
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

  /**
   * Waits for the result and copies it to a new Float32Array (row-major). Throws an error that a device
   * kernel reported since the last read (e.g. a WebGPU Cholesky pivot that is not positive).
   */
  async data(): Promise<Float32Array> {
    const values = await this.ctx.engine.read(this.storage('data'));
    await this.ctx.settleChecks();
    return values;
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

  // Issue 9: more elementwise functions and reductions
  sin(): Tensor {
    return ew.unary('sin', this);
  }
  cos(): Tensor {
    return ew.unary('cos', this);
  }
  tan(): Tensor {
    return ew.unary('tan', this);
  }
  /** arcsin, NaN outside [-1, 1]. */
  asin(): Tensor {
    return ew.unary('asin', this);
  }
  /** arccos, NaN outside [-1, 1]. */
  acos(): Tensor {
    return ew.unary('acos', this);
  }
  atan(): Tensor {
    return ew.unary('atan', this);
  }
  sinh(): Tensor {
    return ew.unary('sinh', this);
  }
  cosh(): Tensor {
    return ew.unary('cosh', this);
  }
  /** Rounds down; gradient 0. */
  floor(): Tensor {
    return ew.unary('floor', this);
  }
  /** Rounds up; gradient 0. */
  ceil(): Tensor {
    return ew.unary('ceil', this);
  }
  /** Rounds to the nearest integer, halves to even (NumPy's rint: 0.5 -> 0, 1.5 -> 2); gradient 0. */
  round(): Tensor {
    return ew.unary('round', this);
  }
  /** -1, 0 or 1 (NaN stays NaN); gradient 0. */
  sign(): Tensor {
    return ew.unary('sign', this);
  }
  /** log(1 + x), accurate for tiny x. */
  log1p(): Tensor {
    return ew.unary('log1p', this);
  }
  /** exp(x) - 1, accurate for tiny x. */
  expm1(): Tensor {
    return ew.unary('expm1', this);
  }
  /** The error function, 2/sqrt(pi) times the integral of exp(-t^2) from 0 to x. */
  erf(): Tensor {
    return ew.unary('erf', this);
  }
  // Probability: special functions
  /** log |Gamma(x)| (+Infinity at 0 and the negative integers); gradient digamma(x). */
  lgamma(): Tensor {
    return special.lgamma(this);
  }
  /** The digamma function, d/dx lgamma(x); gradient trigamma(x). */
  digamma(): Tensor {
    return special.digamma(this);
  }
  /** The trigamma function, d/dx digamma(x) (not differentiable itself). */
  trigamma(): Tensor {
    return special.trigamma(this);
  }
  /** 1 - erf(x), with relative accuracy in the right tail (erfc(9) ~ 4e-37). */
  erfc(): Tensor {
    return special.erfc(this);
  }
  /** The inverse error function on [-1, 1] (+-Infinity at +-1, NaN outside). */
  erfinv(): Tensor {
    return special.erfinv(this);
  }
  /** The inverse of erfc on [0, 2], accurate for tiny arguments (erfcinv(1e-30) ~ 8.15). */
  erfcinv(): Tensor {
    return special.erfcinv(this);
  }
  /** 1 / x. */
  reciprocal(): Tensor {
    return ew.unary('reciprocal', this);
  }
  /** 1 / sqrt(x). */
  rsqrt(): Tensor {
    return ew.unary('rsqrt', this);
  }
  /**
   * atan2(this, x): the angle in (-pi, pi] of the point (x, this), as NumPy's arctan2(y, x) and C's
   * atan2(y, x); `this` is the y coordinate. Broadcasts; the gradient at the origin is NaN.
   */
  atan2(x: TensorLike): Tensor {
    return ew.binary('atan2', this, x);
  }
  /** x where x > 0, alpha x elsewhere (derivative alpha at 0). */
  leakyRelu(alpha = 0.01): Tensor {
    return ew.leakyRelu(this, alpha);
  }
  /** x where x > 0, alpha (exp(x) - 1) elsewhere (derivative alpha at 0). */
  elu(alpha = 1): Tensor {
    return ew.elu(this, alpha);
  }
  /**
   * The exact GELU, x (1 + erf(x / sqrt 2)) / 2. (nn's 'gelu' activation is the tanh approximation,
   * which differs from this by up to ~5e-4.)
   */
  gelu(): Tensor {
    return ew.gelu(this);
  }
  /** Limits values to [min, max] (min <= max); gradient 1 inside the closed interval, 0 outside. */
  clip(min: number, max: number): Tensor {
    return ew.clip(this, min, max);
  }
  /**
   * Variance over all elements, one axis or a list: the mean squared deviation from the mean, divided by
   * N - ddof with `{ ddof: 1 }` for the sample variance (default 0, the population variance, as NumPy).
   */
  var(axes?: Axes, keepDims = false, options?: VarianceOptions): Tensor {
    return variance('var', this, axes, keepDims, options);
  }
  /** Standard deviation, sqrt(var(axes, keepDims, options)); its gradient is NaN where it is 0. */
  std(axes?: Axes, keepDims = false, options?: VarianceOptions): Tensor {
    return variance('std', this, axes, keepDims, options);
  }
  /** Product over all elements, one axis or a list (1 over nothing); its gradient is exact with zeros. */
  prod(axes?: Axes, keepDims = false): Tensor {
    return reduce('prod', this, axes, keepDims);
  }
  /**
   * Vector norm over all elements, one axis or a list: ord 1 (sum |x|), 2 (Euclidean, computed without
   * overflow) or Infinity (max |x|). The 2-norm's gradient is 0 where a slice is all zeros.
   */
  norm(ord: NormOrd = 2, axes?: Axes, keepDims = false): Tensor {
    return norm(this, ord, axes, keepDims);
  }
  /** 1 where some element over the axes is non-zero, else 0 (NaN counts as non-zero). No gradient. */
  any(axes?: Axes, keepDims = false): Tensor {
    return any(this, axes, keepDims);
  }
  /** 1 where every element over the axes is non-zero, else 0 (NaN counts as non-zero). No gradient. */
  all(axes?: Axes, keepDims = false): Tensor {
    return all(this, axes, keepDims);
  }
  /** The same values as a new tensor through which no gradient flows back (a copy the tape does not record). */
  stopGradient(): Tensor {
    return untracked(this.ctx, () => ew.unary('copy', this));
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

  // Issue 9: shape, indexing and linear-algebra building blocks
  /**
   * NumPy slicing of the leading axes, `x[s0:e0:k0, s1:e1:k1, ...]`: one entry per axis, shorter arrays
   * (or null entries) leave axes whole; negative indices count from the end, out-of-range ones clamp,
   * `ends` are exclusive, `steps` positive. A copy.
   * @example x.slice([1, -3], [3]) // rows 1..2, the last three columns onwards
   */
  slice(
    starts: readonly (number | null | undefined)[],
    ends?: readonly (number | null | undefined)[],
    steps?: readonly (number | null | undefined)[],
  ): Tensor {
    return shapeOps.slice(this, starts, ends, steps);
  }
  /** Splits along `axis` into `sections` equal parts, or parts of the given sizes; returns the parts. */
  split(sections: number | readonly number[], axis = 0): Tensor[] {
    return shapeOps.split(this, sections, axis);
  }
  /**
   * Pads with `value`: one `[before, after]` pair per axis, or one pair (or one number) for every axis.
   * @example x.pad([[1, 1], [0, 2]])
   */
  pad(widths: number | readonly number[] | readonly (readonly number[])[], value = 0): Tensor {
    return shapeOps.pad(this, widths, value);
  }
  /** Repeats the tensor reps[a] times along each axis (NumPy's tile). */
  tile(reps: number | readonly number[]): Tensor {
    return shapeOps.tile(this, reps);
  }
  /** Removes axes of length 1 (the given ones, or all): a view. */
  squeeze(axes?: number | readonly number[]): Tensor {
    return shapeOps.squeeze(this, axes);
  }
  /** Inserts an axis of length 1 at `axis`: a view. */
  expandDims(axis: number): Tensor {
    return shapeOps.expandDims(this, axis);
  }
  /** Reverses the element order along the given axes (all when omitted). */
  flip(axes?: number | readonly number[]): Tensor {
    return shapeOps.flip(this, axes);
  }
  /** Inner product of two vectors: a scalar. */
  dot(y: Tensor): Tensor {
    return blocks.dot(this, y);
  }
  /** Outer product of two vectors (flattened first): (n) x (m) -> (n,m). */
  outer(y: Tensor): Tensor {
    return blocks.outer(this, y);
  }
  /** Matrix -> its k-th diagonal; vector -> the square matrix with it on the k-th diagonal. */
  diag(k = 0): Tensor {
    return blocks.diag(this, k);
  }
  /** Zeros below the k-th diagonal of the last two axes. */
  triu(k = 0): Tensor {
    return blocks.triangle('triu', this, k);
  }
  /** Zeros above the k-th diagonal of the last two axes. */
  tril(k = 0): Tensor {
    return blocks.triangle('tril', this, k);
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
