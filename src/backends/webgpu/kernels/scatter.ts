// Plans the histogram-like kernels (shaders/scatter.wgsl). Atomic rungs: one invocation per input element
// adding into zeroed outputs; naive rungs: one invocation per output walking all the input
// (deterministic, O(outputs x inputs)).
import { gridFor } from '../grid';
import { Params } from '../params';
import type { GpuRunner, GpuStorage } from '../runner';
import { SHADERS } from '../shaders';
import { fill } from './layout';

const WG = 256;

/** Which histogram kernels run: atomics, one invocation per output ('naive'), or by shape. */
export type ScatterVariant = 'auto' | 'naive' | 'atomic';

export function bincount(r: GpuRunner, x: GpuStorage, length: number, variant: ScatterVariant = 'auto') {
  const params = new Params().u32(x.length, 1, length);
  if (variant === 'naive') {
    const out = r.alloc(length);
    if (length === 0) return out;
    r.dispatch({
      shader: SHADERS.scatter,
      entry: 'bincount_naive',
      params,
      buffers: [x, out],
      workgroups: gridFor(length, WG),
    });
    return out;
  }
  const out = fill(r, 0, length); // 0.0 has the bits of the u32 0
  if (length === 0 || x.length === 0) return out;
  r.dispatch({
    shader: SHADERS.scatter,
    entry: 'bincount_atomic',
    params,
    buffers: [x, out],
    workgroups: gridFor(x.length, WG),
  });
  r.dispatch({
    shader: SHADERS.scatter,
    entry: 'counts_to_f32',
    params,
    buffers: [out],
    workgroups: gridFor(length, WG),
  });
  return out;
}

export function segmentSum(
  r: GpuRunner,
  data: GpuStorage,
  ids: GpuStorage,
  rows: number,
  inner: number,
  segments: number,
  variant: ScatterVariant = 'auto',
): GpuStorage {
  const params = new Params().u32(rows, inner, segments);
  if (variant === 'naive') {
    const out = r.alloc(segments * inner);
    if (out.length === 0) return out;
    r.dispatch({
      shader: SHADERS.scatter,
      entry: 'segment_sum_naive',
      params,
      buffers: [data, ids, out],
      workgroups: gridFor(segments * inner, WG),
    });
    return out;
  }
  const out = fill(r, 0, segments * inner);
  if (out.length === 0 || rows * inner === 0) return out;
  r.dispatch({
    shader: SHADERS.scatter,
    entry: 'segment_sum_atomic',
    params,
    buffers: [data, ids, out],
    workgroups: gridFor(rows * inner, WG),
  });
  return out;
}
