// The CPU backend's storage: a typed array of float32 (the normal case) or float64 (for checkGrad's
// finite differences), and helpers that make outputs of the same precision as their inputs.
import { GradboxError } from '../../errors';
import type { Storage } from '../backend';

export type FloatArray = Float32Array | Float64Array;
export type FloatArrayConstructor = Float32ArrayConstructor | Float64ArrayConstructor;

export interface CpuStorage extends Storage {
  readonly data: FloatArray;
}

/** A zeroed array of n elements with the precision of `like`; too large a request says so plainly. */
export function alloc(like: FloatArray | FloatArrayConstructor, n: number): FloatArray {
  const F = typeof like === 'function' ? like : (like.constructor as FloatArrayConstructor);
  try {
    return new F(n);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const gib = (n * F.BYTES_PER_ELEMENT) / 2 ** 30;
    throw new GradboxError(
      `the CPU backend cannot allocate ${n} elements (${gib.toPrecision(3)} GiB) in one typed array: ` +
        `the JavaScript engine refused (${e.message}). V8 caps a typed array at 2^32 elements, and memory ` +
        'may run out sooner. Use smaller tensors or split the work into pieces.',
    );
  }
}

export function wrap(data: FloatArray): CpuStorage {
  return { length: data.length, data };
}
