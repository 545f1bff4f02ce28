// Plans reductions (shaders/reduce.wgsl) and the softmax family (shaders/softmax.wgsl).
// Picks a decomposition by shape: a thread per output for short rows, a workgroup per row, or a
// workgroup per chunk of a very long row followed by a second pass over the chunk results.
import { REDUCE_OPS, type ReduceOp, SOFTMAX_MODES, type SoftmaxMode } from '../../backend';
import { grid2d, gridFor } from '../grid';
import { Params } from '../params';
import type { GpuRunner, GpuStorage } from '../runner';
import { SHADERS } from '../shaders';

const WG = 256;
/** Elements of a row that one workgroup reduces before a row is split into chunks. */
const CHUNK = WG * 16;

/** Which reduce decomposition to use; 'auto' decides by shape and adapter. */
export type ReduceVariant = 'auto' | 'cols' | 'tree' | 'subgroup';

/** Which softmax kernel to use: a thread per row ('small'), a workgroup per row ('rows'), or by shape. */
export type SoftmaxVariant = 'auto' | 'small' | 'rows';

function rowsKernel(r: GpuRunner, op: ReduceOp, variant: ReduceVariant): 'reduce_rows' | 'reduce_rows_sg' {
  const sgOk = r.info.subgroups && !op.startsWith('arg');
  if (variant === 'subgroup' && sgOk) return 'reduce_rows_sg';
  if (variant === 'auto' && sgOk) return 'reduce_rows_sg';
  return 'reduce_rows';
}

/**
 * The decomposition for a shape. On a GPU: a thread per output for short rows (or many outputs along a
 * coalesced axis), otherwise a workgroup per row with a tree. On software adapters every workgroup barrier
 * costs far more than the arithmetic (measured: a tree reduction of (1000,10) along its rows took 470 ms,
 * a thread per output 0.2 ms), so there the barrier-free thread-per-output kernel always runs.
 */
function plan(
  r: GpuRunner,
  op: ReduceOp,
  outputs: number,
  size: number,
  inner: number,
  variant: ReduceVariant,
) {
  const cols =
    variant === 'cols' ||
    (variant === 'auto' && (r.info.software || size <= 32 || (inner >= 64 && size <= 1024)));
  const entry = cols ? 'reduce_cols' : rowsKernel(r, op, variant);
  // Few outputs over long rows: split each row into chunks, reduced in parallel, then combined.
  const perChunk = cols ? 1024 : CHUNK;
  const chunks = outputs < 64 && size > 2 * perChunk ? Math.min(Math.ceil(size / perChunk), 4096) : 1;
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
  const out = r.alloc(outputs);
  if (outputs === 0) return out;
  const params = (chunk: number, chunks: number, o = outer, s = size, i = inner) =>
    new Params().u32(o, s, i, chunk, chunks).f32(op === 'mean' ? 1 / size : 1);
  const { entry, cols, chunks } = plan(r, op, outputs, size, inner, variant);
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
  if (rows === 0 || size === 0) return out;
  // A workgroup per row needs barriers, which software adapters pay dearly for (see plan() above).
  const small = variant === 'auto' ? size <= 32 || r.info.software : variant === 'small';
  r.dispatch({
    shader: SHADERS.softmax,
    entry: small ? 'softmax_small' : 'softmax_rows',
    constants: { MODE: SOFTMAX_MODES.indexOf(mode) },
    params: new Params().u32(outer, size, inner),
    buffers: [x, out],
    workgroups: small ? gridFor(rows, 64) : grid2d(rows),
  });
  return out;
}
