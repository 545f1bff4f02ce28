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

function rowsKernel(r: GpuRunner, op: ReduceOp, variant: ReduceVariant): 'reduce_rows' | 'reduce_rows_sg' {
  const sgOk = r.info.subgroups && !op.startsWith('arg');
  if (variant === 'subgroup' && sgOk) return 'reduce_rows_sg';
  if (variant === 'auto' && sgOk) return 'reduce_rows_sg';
  return 'reduce_rows';
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
  const useCols = variant === 'cols' || (variant === 'auto' && (size <= 32 || (inner >= 64 && size <= 1024)));
  if (useCols) {
    r.dispatch({
      shader: SHADERS.reduce,
      entry: 'reduce_cols',
      constants: { OP: code },
      params: params(size, 1),
      buffers: [x, out],
      workgroups: gridFor(outputs, WG),
    });
    return out;
  }
  const entry = rowsKernel(r, op, variant);
  const chunks = outputs < 64 && size > 2 * CHUNK ? Math.min(Math.ceil(size / CHUNK), 4096) : 1;
  if (chunks === 1) {
    r.dispatch({
      shader: SHADERS.reduce,
      entry,
      constants: { OP: code },
      params: params(size, 1),
      buffers: [x, out],
      workgroups: grid2d(outputs),
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
    workgroups: grid2d(outputs * chunks),
  });
  r.dispatch({
    shader: SHADERS.reduce,
    entry: 'reduce_rows',
    constants: { OP: code, IN_PAIRS: 1 },
    params: params(chunks, 1, outputs, chunks, 1),
    buffers: [partial, out],
    workgroups: grid2d(outputs),
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
): GpuStorage {
  const rows = outer * inner;
  const out = r.alloc(mode === 'logSumExp' ? rows : x.length);
  if (rows === 0 || size === 0) return out;
  const small = size <= 32;
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
