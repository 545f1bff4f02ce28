// Plans reductions (shaders/reduce.wgsl) and the softmax family (shaders/softmax.wgsl).
// Picks a decomposition by shape: a thread per output for short rows, a workgroup per row, or a
// workgroup per chunk of a very long row followed by a second pass over the chunk results.
import { GradboxError } from '../../../errors';
import { REDUCE_OPS, type ReduceOp, SOFTMAX_MODES, type SoftmaxMode } from '../../backend';
import type { GpuDeviceInfo } from '../device';
import { grid2d, gridFor } from '../grid';
import { Params } from '../params';
import type { GpuRunner, GpuStorage } from '../runner';
import { SHADERS } from '../shaders';

const WG = 256;
/** Elements of a row that one workgroup reduces before a row is split into chunks. */
const CHUNK = WG * 16;
/** Most chunks per row: bounds the second pass, which walks a row's chunks (longer rows get longer chunks). */
const MAX_CHUNKS = 4096;

/** Which reduce decomposition to use; 'auto' decides by shape and adapter. */
export type ReduceVariant = 'auto' | 'cols' | 'tree' | 'subgroup';

/** Which softmax kernel to use: a thread per row ('small'), a workgroup per row ('rows'), or by shape. */
export type SoftmaxVariant = 'auto' | 'small' | 'rows';

/** What the planners need to know of the adapter. */
export type PlanDevice = Pick<GpuDeviceInfo, 'software' | 'subgroups'>;

/**
 * The tree kernel for a workgroup per row: the subgroup one where it can run. 'auto' falls back to the
 * plain tree; a forced 'subgroup' that cannot run throws, so a test of that rung never passes on another.
 */
function rowsKernel(dev: PlanDevice, op: ReduceOp, variant: ReduceVariant): 'reduce_rows' | 'reduce_rows_sg' {
  const why = !dev.subgroups
    ? "this adapter does not offer the WebGPU 'subgroups' feature"
    : op === 'argmax' || op === 'argmin'
      ? `subgroup operations carry no index, so there is no subgroup kernel for ${op}`
      : op === 'prod'
        ? 'WGSL has no subgroup product, so there is no subgroup kernel for prod'
        : null;
  if (variant === 'subgroup' && why !== null) {
    throw new GradboxError(
      `${op}: the 'subgroup' reduce kernel was forced (variants.reduce = 'subgroup') but cannot run: ` +
        `${why}. Set variants.reduce to 'tree' or 'auto' for this op.`,
    );
  }
  return (variant === 'subgroup' || variant === 'auto') && why === null ? 'reduce_rows_sg' : 'reduce_rows';
}

/** Chunks for a row of `size` elements, `perChunk` each, capped at MAX_CHUNKS; 1 when not worth it. */
function chunksFor(size: number, perChunk: number, busy: boolean): number {
  return !busy && size > 2 * perChunk ? Math.min(Math.ceil(size / perChunk), MAX_CHUNKS) : 1;
}

/**
 * The decomposition of a reduction over the middle axis of (outer, size, inner). On a GPU: a thread per
 * output for short rows (or many outputs along a coalesced axis), otherwise a workgroup per row with a
 * tree. On software adapters every workgroup barrier costs far more than the arithmetic (measured: a tree
 * reduction of (1000,10) along its rows took 470 ms, a thread per output 0.2 ms), so there the
 * barrier-free thread-per-output kernel always runs. Few outputs over long rows: each row is split into
 * `chunks` reduced in parallel, then combined by a second pass. Pure, so tests can check the plan.
 */
export function reducePlan(
  dev: PlanDevice,
  op: ReduceOp,
  outer: number,
  size: number,
  inner: number,
  variant: ReduceVariant = 'auto',
): { entry: 'reduce_cols' | 'reduce_rows' | 'reduce_rows_sg'; cols: boolean; chunks: number } {
  const cols =
    variant === 'cols' ||
    (variant === 'auto' && (dev.software || size <= 32 || (inner >= 64 && size <= 1024)));
  const entry = cols ? 'reduce_cols' : rowsKernel(dev, op, variant);
  const chunks = chunksFor(size, cols ? 1024 : CHUNK, outer * inner >= 64);
  return { entry, cols, chunks };
}

export function reduce(
  r: GpuRunner,
  op: ReduceOp,
  x: GpuStorage,
  outer: number,
  size: number,
  inner: number,
  variant: ReduceVariant = 'auto',
): GpuStorage {
  const outputs = outer * inner;
  const code = REDUCE_OPS.indexOf(op);
  // Planned before allocating: a forced variant that cannot run throws here and leaks nothing.
  const { entry, cols, chunks } = reducePlan(r.info, op, outer, size, inner, variant);
  const out = r.alloc(outputs);
  if (outputs === 0) return out;
  const params = (chunk: number, chunks: number, o = outer, s = size, i = inner) =>
    new Params().u32(o, s, i, chunk, chunks).f32(op === 'mean' ? 1 / size : 1);
  const grid = (n: number) => (cols ? gridFor(n, WG) : grid2d(n));
  if (chunks === 1) {
    r.dispatch({
      shader: SHADERS.reduce,
      entry,
      constants: { OP: code },
      params: params(size, 1),
      buffers: [x, out],
      workgroups: grid(outputs),
    });
    return out;
  }
  // Pass 1: (outputs, chunks) partial results as (value, index) pairs; pass 2 reduces each row of chunks.
  const chunk = Math.ceil(size / chunks);
  const partial = r.alloc(outputs * chunks * 2);
  r.dispatch({
    shader: SHADERS.reduce,
    entry,
    constants: { OP: code, OUT_PAIRS: 1 },
    params: params(chunk, chunks),
    buffers: [x, partial],
    workgroups: grid(outputs * chunks),
  });
  r.dispatch({
    shader: SHADERS.reduce,
    entry: cols ? 'reduce_cols' : 'reduce_rows',
    constants: { OP: code, IN_PAIRS: 1 },
    params: params(chunks, 1, outputs, chunks, 1),
    buffers: [partial, out],
    workgroups: grid(outputs),
  });
  r.free(partial);
  return out;
}

/** Invocations per workgroup of the softmax kernels (WG in shaders/softmax.wgsl). */
const SOFTMAX_WG = 64;
/** Elements of a row per softmax work item (a thread or a workgroup) once a row is split into chunks. */
const SOFTMAX_CHUNK = 1024;
/** Invocations that keep a device busy: below this, long rows are split so more of them work at once. */
const BUSY_INVOCATIONS = 4096;

/** How the softmax family runs over `rows` rows of `size` elements (see softmaxPlan). */
export interface SoftmaxPlan {
  /** Pass 1 (the only pass when chunks is 1): a thread per work item, or a workgroup per work item. */
  entry: 'softmax_small' | 'softmax_rows';
  /** Chunks per row; above 1, softmax_combine merges them and (softmax, logSoftmax) softmax_apply writes. */
  chunks: number;
  /** Elements per chunk (the whole row when chunks is 1). */
  chunk: number;
}

/**
 * The decomposition of the softmax family. 'auto': a thread per row for short rows or on software
 * adapters (a workgroup per row needs barriers, which they pay dearly for; see reducePlan), otherwise a
 * workgroup per row. Either way, when the rows alone would not keep the device busy (logSumExp over all
 * elements is one row), a long row is split into chunks of SOFTMAX_CHUNK elements, processed in parallel.
 * Pure, so tests can check the plan.
 */
export function softmaxPlan(
  dev: PlanDevice,
  rows: number,
  size: number,
  variant: SoftmaxVariant = 'auto',
): SoftmaxPlan {
  const small = variant === 'auto' ? size <= 32 || dev.software : variant === 'small';
  const busy = rows * (small ? 1 : SOFTMAX_WG) >= BUSY_INVOCATIONS;
  const chunks = chunksFor(size, SOFTMAX_CHUNK, busy);
  return {
    entry: small ? 'softmax_small' : 'softmax_rows',
    chunks,
    chunk: Math.ceil(size / chunks),
  };
}

export function softmax(
  r: GpuRunner,
  mode: SoftmaxMode,
  x: GpuStorage,
  outer: number,
  size: number,
  inner: number,
  variant: SoftmaxVariant = 'auto',
): GpuStorage {
  const rows = outer * inner;
  const out = r.alloc(mode === 'logSumExp' ? rows : x.length);
  // An empty axis still has a logSumExp (-Inf, as on the CPU), so only an empty output skips the kernels.
  if (out.length === 0) return out;
  const { entry, chunks, chunk } = softmaxPlan(r.info, rows, size, variant);
  const MODE = SOFTMAX_MODES.indexOf(mode);
  const params = new Params().u32(outer, size, inner, chunk, chunks);
  const grid = (items: number) => (entry === 'softmax_small' ? gridFor(items, SOFTMAX_WG) : grid2d(items));
  if (chunks === 1) {
    r.dispatch({
      shader: SHADERS.softmax,
      entry,
      constants: { MODE },
      params,
      buffers: [x, out],
      workgroups: grid(rows),
    });
    return out;
  }
  // Pass 1: a (max, sum of exp(x - shift)) pair per chunk, (rows, chunks, 2).
  const pairs = r.alloc(rows * chunks * 2);
  r.dispatch({
    shader: SHADERS.softmax,
    entry,
    constants: { MODE, OUT_PAIRS: 1 },
    params,
    buffers: [x, pairs],
    workgroups: grid(rows * chunks),
  });
  // Pass 2: each row's pairs merged into its logSumExp, or into (shift, sum) for pass 3.
  const stats = mode === 'logSumExp' ? out : r.alloc(rows * 2);
  r.dispatch({
    shader: SHADERS.softmax,
    entry: 'softmax_combine',
    constants: { MODE },
    params,
    buffers: [pairs, stats],
    workgroups: gridFor(rows, SOFTMAX_WG),
  });
  r.free(pairs);
  if (stats === out) return out;
  // Pass 3: every element from its row's (shift, sum).
  r.dispatch({
    shader: SHADERS.softmax,
    entry: 'softmax_apply',
    constants: { MODE },
    params,
    buffers: [x, stats, out],
    workgroups: gridFor(x.length, SOFTMAX_WG),
  });
  r.free(stats);
  return out;
}
