// The small interface both backends implement. A backend owns raw float32 storage and runs kernels on it;
// it knows nothing of tensors, autodiff or user input: src/ops validates and plans, then calls in here.
import type { PhiloxKey } from '../random';

/** Opaque storage of float32 elements owned by one backend (a typed array or a GPUBuffer). */
export interface Storage {
  /** Number of float32 elements. */
  readonly length: number;
}

/** Elementwise functions of one argument. The order is shared with shaders/elementwise.wgsl. */
export const UNARY_OPS = [
  'neg',
  'abs',
  'exp',
  'log',
  'sqrt',
  'square',
  'tanh',
  'sigmoid',
  'relu',
  'copy',
  'softplus',
  'sin',
  'cos',
  'tan',
  'asin',
  'acos',
  'atan',
  'sinh',
  'cosh',
  'floor',
  'ceil',
  'round',
  'sign',
  'log1p',
  'expm1',
  'erf',
  'reciprocal',
  'rsqrt',
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

/** Elementwise functions of two arguments. The order is shared with shaders/elementwise.wgsl. */
export const BINARY_OPS = [
  'add',
  'sub',
  'mul',
  'div',
  'pow',
  'maximum',
  'minimum',
  'greater',
  'greaterEqual',
  'less',
  'lessEqual',
  'equal',
  'notEqual',
  'atan2',
] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

/** Reductions. The order is shared with shaders/reduce.wgsl. */
export const REDUCE_OPS = ['sum', 'mean', 'max', 'min', 'argmax', 'argmin', 'prod'] as const;
export type ReduceOp = (typeof REDUCE_OPS)[number];

/** What the softmax family computes per row. The order is shared with shaders/softmax.wgsl. */
export const SOFTMAX_MODES = ['softmax', 'logSoftmax', 'logSumExp'] as const;
export type SoftmaxMode = (typeof SOFTMAX_MODES)[number];

/** Optimiser update rules. The order is shared with shaders/optim.wgsl. */
export const OPTIMIZER_RULES = ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adam', 'adamw'] as const;
export type OptimizerRule = (typeof OPTIMIZER_RULES)[number];

/** Hyperparameters of one optimiser step (see shaders/optim.wgsl for their meaning per rule). */
export interface OptimizerHyper {
  lr: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** 1 - beta1^t and 1 - beta2^t for Adam's bias correction at step t. */
  correction1: number;
  correction2: number;
}

/**
 * An operand of a broadcasting op: storage read through `strides` (one per axis of the output shape,
 * 0 where broadcast), or a plain number.
 */
export type Operand = { data: Storage; strides: readonly number[] } | number;

/**
 * A batched matmul C[z] = A[z] @ B[z] for z < batch, with every operand addressed by strides so that
 * transposed and broadcast operands need no copy. A: (M,K), B: (K,N), C: (M,N) contiguous.
 */
export interface MatmulPlan {
  batch: number;
  M: number;
  K: number;
  N: number;
  /** Element strides of A: per batch, per row (m), per column (k). */
  a: { batch: number; row: number; col: number };
  /** Element strides of B: per batch, per row (k), per column (n). */
  b: { batch: number; row: number; col: number };
}

/** What a backend has done so far; the CPU backend counts its kernel calls as dispatches. */
export interface BackendStats {
  dispatches: number;
  submits: number;
  copies: number;
  uploads: number;
  readbacks: number;
}

/** What WebGPU interop needs from a backend that runs on a GPUDevice. */
export interface GpuInterop {
  readonly device: GPUDevice;
  /** Storage over a GPUBuffer the caller owns (never destroyed by gradbox). */
  wrap(buffer: GPUBuffer, length: number): Storage;
  /** The buffer and byte range holding a storage's elements. */
  binding(x: Storage): { buffer: GPUBuffer; offset: number; size: number };
}

/**
 * A backend: where tensors' storage lives and kernels run. A context needs nothing else from it, so a new
 * backend (e.g. WebAssembly) implements this interface and registers a factory in src/backend_choice.ts.
 * Every kernel method is asynchronous on the device but returns at once; only read() and sync() wait.
 */
export interface Backend {
  /** 'webgpu', 'wasm' (WebAssembly SIMD) or 'js' (TypeScript on typed arrays). */
  readonly name: 'js' | 'wasm' | 'webgpu';
  /** The device in words, for messages: 'WebGPU on google / swiftshader', 'the CPU (float32)'. */
  readonly description: string;
  /** Resolves with the reason if the device is lost (never, for a backend that cannot lose it). */
  readonly lost: Promise<string>;
  /** WebGPU interop (device, buffers), or null for a backend without a GPUDevice. */
  readonly gpu: GpuInterop | null;
  /** Copies host data into new storage. */
  upload(data: Float32Array): Storage;
  /** Reads storage back to the host, waiting for queued work. */
  read(x: Storage): Promise<Float32Array>;
  /** Returns storage to the backend; it must not be used again. */
  free(x: Storage): void;
  /** Bytes held by one storage. */
  bytes(x: Storage): number;

  fill(value: number, length: number): Storage;
  random(dist: 'uniform' | 'normal', key: PhiloxKey, counter: number, length: number): Storage;

  unary(op: UnaryOp, x: Storage): Storage;
  /** out[i] = op(a[i], b[i]) over `outShape`, each operand read through its broadcast strides. */
  binary(op: BinaryOp, a: Operand, b: Operand, outShape: readonly number[]): Storage;
  /** out[i] = cond[i] != 0 ? a[i] : b[i], broadcast like binary. */
  where(cond: Operand, a: Operand, b: Operand, outShape: readonly number[]): Storage;

  matmul(a: Storage, b: Storage, plan: MatmulPlan): Storage;
  /** Reduces the middle axis of x viewed as (outer, size, inner); the result is (outer, inner). */
  reduce(op: ReduceOp, x: Storage, outer: number, size: number, inner: number): Storage;
  /** softmax / logSoftmax over the middle axis of (outer, size, inner), or logSumExp giving (outer, inner). */
  softmax(mode: SoftmaxMode, x: Storage, outer: number, size: number, inner: number): Storage;

  /** A contiguous copy of x read through `strides` over `outShape` (transpose, broadcastTo). */
  strided(x: Storage, strides: readonly number[], outShape: readonly number[]): Storage;
  /** out(outer, n, inner) = x(outer, idx[j], inner); NaN where an index is not a valid integer. */
  gather(x: Storage, indices: Storage, outer: number, size: number, inner: number): Storage;
  /** out(n, depth) = 1 where indices[j] == column, else 0. */
  oneHot(indices: Storage, depth: number): Storage;

  /**
   * Storage aliasing elements [offset, offset + length) of x, without a copy. `offset` must be a multiple
   * of 64. Freeing a view does nothing; x owns the memory.
   */
  view(x: Storage, offset: number, length: number): Storage;
  /** Copies all of src into dst starting at element `at` (in place; queued like any other work). */
  copyInto(dst: Storage, at: number, src: Storage): void;
  /** Updates params (and the moment buffers m, v) in place from grads: one fused pass over all elements. */
  optimizerStep(
    rule: OptimizerRule,
    params: Storage,
    grads: Storage,
    m: Storage,
    v: Storage,
    hyper: OptimizerHyper,
  ): void;

  /** Starts the queued work without waiting for it (a submit on WebGPU, nothing on the CPU). */
  flush(): void;
  /** Waits until all queued work has finished. */
  sync(): Promise<void>;
  /**
   * Starts timing device work; returns false when the backend cannot (no timestamp queries, or no
   * device time apart from wall time). endTiming() gives the device milliseconds since, or null.
   */
  beginTiming(): boolean;
  endTiming(): Promise<number | null>;
  /** Counters of the work done so far (dispatches, submits, ...), for benchmarks. */
  stats(): BackendStats;
  /** Bytes the backend keeps for reuse that no storage uses now (a buffer pool); 0 without a pool. */
  poolBytes(): number;

  /** Releases everything the backend holds (for WebGPU: the device, unless it was given by the user). */
  dispose(): void;

  // Issue 9: shape ops
  /**
   * A contiguous copy of `outShape` whose element idx is x[offset + sum_k idx[k] * strides[k]]. Strides may
   * be negative (flip) or sums of strides (a diagonal); every address read must lie inside x. Slices, flips
   * and diagonals are this one call.
   */
  stridedRead(x: Storage, offset: number, strides: readonly number[], outShape: readonly number[]): Storage;
  /**
   * In place: dst[dstOffset + sum_k idx[k] * dstStrides[k]] = src[sum_k idx[k] * srcStrides[k]] for every
   * multi-index idx of `shape` (pad, concat, and the scatter of a slice's gradient). Strides may be
   * negative; the written addresses must be distinct and inside dst, and src must not be dst.
   */
  stridedInto(
    dst: Storage,
    dstOffset: number,
    dstStrides: readonly number[],
    src: Storage,
    srcStrides: readonly number[],
    shape: readonly number[],
  ): void;

  // Issue 9: scans, sorting, scatter
  /**
   * Inclusive scan over the middle axis of x viewed as (outer, size, inner): running sums ('sum') or
   * products ('prod'); `reverse` runs from the end of the axis (out[k] combines elements k..size-1).
   */
  scan(op: ScanOp, x: Storage, outer: number, size: number, inner: number, reverse: boolean): Storage;
  /**
   * Stable sort of each of `rows` contiguous rows of `size` elements (ascending, or descending), NaN
   * last either way; ties keep their order. Returns the first `k` of each sorted row, (rows, k): the
   * values and their positions in the row (float32 integers).
   */
  sort(
    x: Storage,
    rows: number,
    size: number,
    descending: boolean,
    k: number,
  ): { values: Storage; indices: Storage };
  /** Counts of each integer 0..length-1 among x's elements (exact); other values are ignored. */
  bincount(x: Storage, length: number): Storage;
  /**
   * out(numSegments, inner) = sum of the rows data(j, inner), j < rows, with ids[j] == s; ids that are
   * not integers in [0, numSegments) are ignored. The order of the additions is unspecified.
   */
  segmentSum(data: Storage, ids: Storage, rows: number, inner: number, numSegments: number): Storage;
  /**
   * Integers in [low, high) as float32 from the Philox stream (key, counter): element i takes the 32-bit
   * word i of the stream w and maps it to low + floor(w * (high - low) / 2^32). high - low <= 2^24.
   */
  randint(key: PhiloxKey, counter: number, length: number, low: number, high: number): Storage;

  // Linear algebra
  /**
   * Lower Cholesky factors L (A = L L^T) of `batch` contiguous n x n matrices, reading only their lower
   * triangles. `info` (batch) holds -1 for a positive-definite matrix, else the index of the first pivot
   * that is not positive; that matrix's factor is all NaN.
   */
  cholesky(x: Storage, batch: number, n: number): { factor: Storage; info: Storage };
  /**
   * X = op(A)^-1 B by substitution for `batch` n x n triangular matrices A and right-hand sides B (n, k),
   * both contiguous; op(A) is A or A^T. The other triangle of op(A) is not read. (batch, n, k).
   */
  triangularSolve(
    a: Storage,
    b: Storage,
    batch: number,
    n: number,
    k: number,
    opts: TriangularSolveOptions,
  ): Storage;
  /**
   * P A = L U with partial pivoting for `batch` n x n matrices: `lu` packs the unit-lower L below the
   * diagonal and U on and above it, `perm` (batch, n) says row i of P A is row perm[i] of A (float32
   * integers), `sign` (batch) is det(P). A zero pivot column is skipped (U gets an exact 0 on its diagonal).
   */
  lu(x: Storage, batch: number, n: number): { lu: Storage; perm: Storage; sign: Storage };

  // Issue 10: eigh and svd (Jacobi rotations)
  /**
   * Eigenvalues (batch, n), ascending, and eigenvectors (batch, n, n), as columns, of the symmetric parts
   * (A + A^T) / 2 of `batch` contiguous n x n matrices. Each eigenvector's largest-magnitude entry (the first
   * of equals) is positive. A matrix with a NaN or infinite entry gives all NaN.
   */
  eigh(x: Storage, batch: number, n: number): { values: Storage; vectors: Storage };
  /**
   * Reduced SVDs A = U diag(s) V^T of `batch` contiguous m x n matrices, k = min(m, n): u (batch, m, k),
   * s (batch, k) descending, vt (batch, k, n). Each column of u has its largest-magnitude entry positive (the
   * row of vt flipped with it); columns of u (rows of vt) of zero singular values complete an orthonormal
   * set. A matrix with a NaN or infinite entry gives all NaN.
   */
  svd(x: Storage, batch: number, m: number, n: number): { u: Storage; s: Storage; vt: Storage };
  // Linear algebra: QR, blocked LU panels (issue 10)
  /**
   * Reduced Householder QR of `batch` contiguous m x n matrices (m, n >= 1), k = min(m, n): Q (batch, m, k)
   * with orthonormal columns and upper-triangular R (batch, k, n) whose diagonal is >= 0.
   */
  qr(x: Storage, batch: number, m: number, n: number): { q: Storage; r: Storage };
  /**
   * The panel step of the blocked LU: P A = L U with partial pivoting of `batch` contiguous m x b
   * matrices, packed like lu() (L unit lower below the diagonal, U on and above it, over min(m, b)
   * columns), `perm` (batch, m) and `sign` (batch) as in lu().
   */
  luPanel(x: Storage, batch: number, m: number, b: number): { lu: Storage; perm: Storage; sign: Storage };
  // Linear algebra: the blocked QR's panel (issue 10)
  /**
   * The panel step of the blocked QR: Householder QR, with qr()'s reflectors, of `batch` contiguous m x b
   * panels, 1 <= b <= QR_PANEL_MAX, m >= b. `v` (batch, m, b) holds the reflectors' vectors, unit lower
   * trapezoidal (ones on the diagonal, zeros above); `t` (batch, b, b) is upper triangular with
   * H_0 H_1 ... H_(b-1) = I - V T V^T (the compact WY form); `r` (batch, b, b) is upper triangular with
   * its diagonal >= 0, and H_(b-1) ... H_0 X = [R; 0].
   */
  qrPanel(x: Storage, batch: number, m: number, b: number): { v: Storage; t: Storage; r: Storage };
  // Statistics
  /**
   * Counts of x's elements per bin between `edges` (bins + 1 values that never decrease): bin b holds the
   * v with edges[b] <= v < edges[b + 1], the last bin also v == edges[bins] (NumPy's histogram); NaN and
   * values outside [edges[0], edges[bins]] are not counted. `uniform` says the edges are evenly spaced, so
   * a division can guess the bin before the edges decide it. Exact counts, as float32 integers.
   */
  histogram(x: Storage, edges: Storage, bins: number, uniform: boolean): Storage;
  /**
   * Order statistics: the values at sorted positions `ranks` (integers in [0, size)) of each of `rows`
   * contiguous rows of `size` elements, (rows, ranks.length), without sorting. The order is the float's
   * total order: -0 before +0, NaN last (what sort gives, but for the sign of a zero among tied zeros).
   */
  orderStatistics(x: Storage, rows: number, size: number, ranks: readonly number[]): Storage;
  // Probability: special functions and samplers
  /**
   * out[i] = f(operands at i) for a special function of one, two or three arguments (see SPECIAL_ARITY),
   * broadcast like binary: lgamma(x), gammaP(a, x), betaI(a, b, x), ...
   */
  special(op: SpecialOp, operands: readonly Operand[], outShape: readonly number[]): Storage;
  /**
   * `length` draws of a family that needs a rejection or search sampler (see SAMPLER_FAMILIES), element i
   * reading its parameters at i % batch. Element i owns a Philox stream of its own, the blocks
   * (counter + i, 0, j, 0) for j = 0, 1, ... under `key`, consumed in the same order on every backend.
   */
  sample(
    family: SamplerFamily,
    params: readonly Storage[],
    batch: number,
    length: number,
    key: PhiloxKey,
    counter: number,
    width: number,
  ): Storage;
}

// Probability: special functions and samplers
/** Special functions as elementwise ops. The order is shared with shaders/special.wgsl. */
export const SPECIAL_OPS = [
  'lgamma',
  'digamma',
  'trigamma',
  'erfinv',
  'erfc',
  'erfcinv',
  'gammaP',
  'gammaQ',
  'betaI',
] as const;
export type SpecialOp = (typeof SPECIAL_OPS)[number];
/** How many arguments each special function takes. */
export const SPECIAL_ARITY: Record<SpecialOp, 1 | 2 | 3> = {
  lgamma: 1,
  digamma: 1,
  trigamma: 1,
  erfinv: 1,
  erfc: 1,
  erfcinv: 1,
  gammaP: 2,
  gammaQ: 2,
  betaI: 3,
};

/**
 * Samplers with a loop per element. The order is shared with shaders/distributions.wgsl.
 * - gamma: params [concentration] (batch): Gamma(concentration, rate 1) by Marsaglia and Tsang.
 * - poisson: params [rate]: inversion below rate 10, Hormann's PTRS from 10.
 * - binomial: params [count, probs]: inversion below count * min(p, 1 - p) = 10, Hormann's BTRS above.
 * - categorical: params [cdf] (batch, width), each row non-decreasing: the first j with cdf[j] > u cdf[-1].
 * - multinomial: params [count (batch), probs (batch, width)]: rows of `width` counts (length rows in all,
 *   so the output has length * width elements) by conditional binomials.
 */
export const SAMPLER_FAMILIES = ['gamma', 'poisson', 'binomial', 'categorical', 'multinomial'] as const;
export type SamplerFamily = (typeof SAMPLER_FAMILIES)[number];

// Linear algebra
// Linear algebra: the blocked QR's panel (issue 10)
/** The widest panel Backend.qrPanel takes (the WebGPU kernel keeps b x b products in workgroup memory). */
export const QR_PANEL_MAX = 64;

/** Why an m x b panel cannot go to Backend.qrPanel, or null when it can: the same words on every backend. */
export function qrPanelRefusal(m: number, b: number): string | null {
  if (Number.isInteger(b) && b >= 1 && b <= QR_PANEL_MAX && Number.isInteger(m) && m >= b) return null;
  return (
    `linalg.qr: a panel of the blocked QR must be m x b with 1 <= b <= ${QR_PANEL_MAX} and m >= b, ` +
    `got ${m} x ${b}; choose a panel width of at most ${QR_PANEL_MAX}`
  );
}

/** Which triangle of op(A) a triangular solve uses, whether op(A) = A^T, and whether its diagonal is 1. */
export interface TriangularSolveOptions {
  lower: boolean;
  transpose: boolean;
  unitDiagonal: boolean;
}

// Issue 9: scans, sorting, scatter
/** Scans. The order is shared with shaders/scan.wgsl. */
export const SCAN_OPS = ['sum', 'prod'] as const;
export type ScanOp = (typeof SCAN_OPS)[number];
