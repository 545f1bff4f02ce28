// Plans the statistics kernels (shaders/stats.wgsl): histogram counts on the naive, atomic or private rung.
// Auto on a GPU takes the private rung (workgroup-local counts, then one global add per non-zero bin) when
// the bins fit in workgroup memory, the usual way to spare global atomics; on software adapters, and for
// more bins, the atomic rung. Measured on SwiftShader (1e6 values, 100 bins): atomic 126 ms, private 2.2 s.
import { grid2d, gridFor } from '../grid';
import { Params } from '../params';
import type { GpuRunner, GpuStorage } from '../runner';
import { SHADERS } from '../shaders';
import { fill } from './layout';

const WG = 256;
/** Bins the private rung can hold in workgroup memory (PRIVATE_BINS in shaders/stats.wgsl). */
export const PRIVATE_BINS = 4096;
/** Elements each workgroup of the private rung counts: enough to pay for merging its bins. */
const PER_GROUP = 16 * WG;

/** Which histogram kernel runs: one invocation per bin ('naive'), global atomics, workgroup-private counts. */
export type HistogramVariant = 'auto' | 'naive' | 'atomic' | 'private';

export function histogram(
  r: GpuRunner,
  x: GpuStorage,
  edges: GpuStorage,
  bins: number,
  uniform: boolean,
  variant: HistogramVariant = 'auto',
): GpuStorage {
  const n = x.length;
  const rung =
    variant === 'auto' ? (bins <= PRIVATE_BINS && !r.info.software ? 'private' : 'atomic') : variant;
  if (rung === 'private' && bins > PRIVATE_BINS) {
    throw new Error(`histogram: the private rung holds at most ${PRIVATE_BINS} bins, got ${bins}`);
  }
  const perGroup = Math.max(WG, Math.min(PER_GROUP, n));
  const params = new Params().u32(n, bins, uniform ? 1 : 0, perGroup);
  if (rung === 'naive') {
    const out = r.alloc(bins);
    r.dispatch({
      shader: SHADERS.stats,
      entry: 'histogram_naive',
      params,
      buffers: [x, edges, out],
      workgroups: gridFor(bins, WG),
    });
    return out;
  }
  const out = fill(r, 0, bins); // 0.0 has the bits of the u32 0
  if (n === 0) return out;
  r.dispatch({
    shader: SHADERS.stats,
    entry: rung === 'private' ? 'histogram_private' : 'histogram_atomic',
    params,
    buffers: [x, edges, out],
    workgroups: rung === 'private' ? grid2d(Math.ceil(n / perGroup)) : gridFor(n, WG),
  });
  // The u32 counts become float32 values in place (the scatter family's converter).
  r.dispatch({
    shader: SHADERS.scatter,
    entry: 'counts_to_f32',
    params: new Params().u32(0, 0, bins),
    buffers: [out],
    workgroups: gridFor(bins, WG),
  });
  return out;
}

/** The passes of the radix selection: which key bits each counts (shaders/stats.wgsl, select_*). */
const SELECT_PASSES = [
  { shift: 21, width: 11 },
  { shift: 10, width: 11 },
  { shift: 0, width: 10 },
];
const SELECT_BUCKETS = 2048;

/**
 * The values at sorted positions `ranks` of each of `rows` rows of `size` (rows, ranks.length), by radix
 * selection: three counting passes and picks over the float's order-preserving key, no sort.
 */
export function orderStatistics(
  r: GpuRunner,
  x: GpuStorage,
  rows: number,
  size: number,
  ranks: readonly number[],
): GpuStorage {
  const slots = rows * ranks.length;
  const params = (pass: number) =>
    new Params().u32(
      size,
      rows,
      ranks.length,
      SELECT_PASSES[pass].shift,
      SELECT_PASSES[pass].width,
      pass === 0 ? 1 : 0,
    );
  const wanted = r.upload(Float32Array.from(ranks));
  const state = r.alloc(2 * slots);
  r.dispatch({
    shader: SHADERS.stats,
    entry: 'select_init',
    params: params(0),
    buffers: [wanted, state],
    workgroups: gridFor(slots, WG),
  });
  for (let pass = 0; pass < SELECT_PASSES.length; pass++) {
    const counts = fill(r, 0, slots * SELECT_BUCKETS);
    r.dispatch({
      shader: SHADERS.stats,
      entry: 'select_count',
      params: params(pass),
      buffers: [x, state, counts],
      workgroups: gridFor(rows * size, WG),
    });
    r.dispatch({
      shader: SHADERS.stats,
      entry: 'select_pick',
      params: params(pass),
      buffers: [counts, state],
      workgroups: gridFor(slots, WG),
    });
    r.free(counts);
  }
  const out = r.alloc(slots);
  r.dispatch({
    shader: SHADERS.stats,
    entry: 'select_finish',
    params: params(0),
    buffers: [state, out],
    workgroups: gridFor(slots, WG),
  });
  r.free(wanted);
  r.free(state);
  return out;
}
