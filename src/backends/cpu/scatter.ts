// Histogram-like kernels on typed arrays (bincount, segmentSum) and Philox integers (randint): the CPU
// twins of shaders/scatter.wgsl and random_int in shaders/random.wgsl. Ids and values that are not
// integers in range are ignored, as on the GPU.
import { type PhiloxKey, philox4x32 } from '../../random';
import { alloc, type CpuStorage, type FloatArrayConstructor } from './storage';

const validIndex = (v: number, limit: number) => Number.isInteger(v) && v >= 0 && v < limit;

export function bincount(x: CpuStorage, length: number): CpuStorage {
  const out = alloc(x.data, length);
  for (const v of x.data) if (validIndex(v, length)) out[v]++;
  return { length, data: out };
}

/** out(segments, inner) += data(j, inner) for each row j with a valid id; sums in the storage's precision. */
export function segmentSum(
  data: CpuStorage,
  ids: CpuStorage,
  rows: number,
  inner: number,
  segments: number,
): CpuStorage {
  const out = alloc(data.data, segments * inner);
  for (let j = 0; j < rows; j++) {
    const s = ids.data[j];
    if (!validIndex(s, segments)) continue;
    for (let i = 0; i < inner; i++) out[s * inner + i] += data.data[j * inner + i];
  }
  return { length: out.length, data: out };
}

/** floor(w * range / 2^32) for a u32 w and range <= 2^24, exactly (the product needs 56 bits). */
export function scaleWord(w: number, range: number): number {
  const hi = (w >>> 16) * range;
  const lo = (w & 0xffff) * range;
  return Math.floor((hi + Math.floor(lo / 65536)) / 65536);
}

/** Integers in [low, high): word i of the stream (block counter + i/4, lane i%4) scaled into the range. */
export function randint(
  F: FloatArrayConstructor,
  key: PhiloxKey,
  counter: number,
  length: number,
  low: number,
  high: number,
): CpuStorage {
  const out = alloc(F, length);
  const block = new Uint32Array(4);
  const range = high - low;
  for (let b = 0; b * 4 < length; b++) {
    const c = counter + b;
    philox4x32(c >>> 0, Math.floor(c / 2 ** 32) >>> 0, 0, 0, key, block);
    for (let k = 0; k < 4 && 4 * b + k < length; k++) out[4 * b + k] = low + scaleWord(block[k], range);
  }
  return { length, data: out };
}
