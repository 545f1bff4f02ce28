// Plans data-movement and fill dispatches: gather, one-hot, constant fills and Philox random fills
// (uniform, normal and integer).

import type { PhiloxKey } from '../../../random';
import { seedWords } from '../../../random';
import { gridFor } from '../grid';
import { Params } from '../params';
import type { GpuRunner, GpuStorage } from '../runner';
import { SHADERS } from '../shaders';

const WG = 256;

function layoutParams(n: number, outer: number, size: number, inner: number, count: number, value = 0) {
  return new Params().u32(n, outer, size, inner, count).f32(value);
}

export function fill(r: GpuRunner, value: number, length: number): GpuStorage {
  const out = r.alloc(length);
  if (length === 0) return out;
  r.dispatch({
    shader: SHADERS.layout,
    entry: 'fill',
    params: layoutParams(length, 0, 0, 0, 0, value),
    buffers: [out],
    workgroups: gridFor(length, WG),
  });
  return out;
}

export function gather(
  r: GpuRunner,
  x: GpuStorage,
  idx: GpuStorage,
  outer: number,
  size: number,
  inner: number,
) {
  const n = outer * idx.length * inner;
  const out = r.alloc(n);
  if (n === 0) return out;
  r.dispatch({
    shader: SHADERS.layout,
    entry: 'gather',
    params: layoutParams(n, outer, size, inner, idx.length),
    buffers: [x, idx, out],
    workgroups: gridFor(n, WG),
  });
  return out;
}

export function oneHot(r: GpuRunner, idx: GpuStorage, depth: number): GpuStorage {
  const n = idx.length * depth;
  const out = r.alloc(n);
  if (n === 0) return out;
  r.dispatch({
    shader: SHADERS.layout,
    entry: 'one_hot',
    params: layoutParams(n, 0, depth, 0, idx.length),
    buffers: [idx, out],
    workgroups: gridFor(n, WG),
  });
  return out;
}

/**
 * One Philox fill of `length` elements (four per invocation): the stream's key and counter block first in
 * the parameters, then what the entry point needs beyond them.
 */
function philoxFill(
  r: GpuRunner,
  entry: 'random_fill' | 'random_int',
  key: PhiloxKey,
  counter: number,
  length: number,
  extra: (p: Params) => Params,
  constants?: Record<string, number>,
): GpuStorage {
  const out = r.alloc(length);
  if (length === 0) return out;
  const c = seedWords(counter);
  r.dispatch({
    shader: SHADERS.random,
    entry,
    constants,
    params: extra(new Params().u32(length, key.lo, key.hi, c.lo, c.hi)),
    buffers: [out],
    workgroups: gridFor(Math.ceil(length / 4), 64),
  });
  return out;
}

/** Uniform numbers in [0, 1) or standard normals (Box-Muller) from the Philox stream. */
export function random(
  r: GpuRunner,
  dist: 'uniform' | 'normal',
  key: PhiloxKey,
  counter: number,
  length: number,
): GpuStorage {
  return philoxFill(r, 'random_fill', key, counter, length, (p) => p, { DIST: dist === 'uniform' ? 0 : 1 });
}

/** Integers in [low, high) from the Philox stream: Lemire's multiply-high of one 32-bit word each. */
export function randint(
  r: GpuRunner,
  key: PhiloxKey,
  counter: number,
  length: number,
  low: number,
  high: number,
): GpuStorage {
  return philoxFill(r, 'random_int', key, counter, length, (p) => p.u32(low | 0, high - low));
}
