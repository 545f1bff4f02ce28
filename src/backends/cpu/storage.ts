// The CPU backend's storage: a typed array of float32 (the normal case) or float64 (for checkGrad's
// finite differences), and helpers that make outputs of the same precision as their inputs.
import type { Storage } from '../backend';

export type FloatArray = Float32Array | Float64Array;
export type FloatArrayConstructor = Float32ArrayConstructor | Float64ArrayConstructor;

export interface CpuStorage extends Storage {
  readonly data: FloatArray;
}

/** A zeroed array of n elements with the precision of `like`. */
export function alloc(like: FloatArray | FloatArrayConstructor, n: number): FloatArray {
  const F = typeof like === 'function' ? like : (like.constructor as FloatArrayConstructor);
  return new F(n);
}

export function wrap(data: FloatArray): CpuStorage {
  return { length: data.length, data };
}
