// Data-movement kernels on typed arrays: gather along an axis, one-hot encoding, random fills.
// Indices are float32 values; anything that is not an in-range integer gathers NaN (never throws).
import { type PhiloxKey, philox4x32, u32ToUnit, u32ToUnitOpen } from '../../random';
import { alloc, type CpuStorage, type FloatArrayConstructor } from './storage';

export function gather(
  x: CpuStorage,
  indices: CpuStorage,
  outer: number,
  size: number,
  inner: number,
): CpuStorage {
  const n = indices.length;
  const out = alloc(x.data, outer * n * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < n; j++) {
      const idx = indices.data[j];
      const ok = Number.isInteger(idx) && idx >= 0 && idx < size;
      const dst = (o * n + j) * inner;
      const src = (o * size + idx) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] = ok ? x.data[src + i] : Number.NaN;
    }
  }
  return { length: out.length, data: out };
}

export function oneHot(indices: CpuStorage, depth: number): CpuStorage {
  const out = alloc(indices.data, indices.length * depth);
  for (let j = 0; j < indices.length; j++) {
    const idx = indices.data[j];
    if (Number.isInteger(idx) && idx >= 0 && idx < depth) out[j * depth + idx] = 1;
  }
  return { length: out.length, data: out };
}

/**
 * Philox block b (counter = (counter + b, 0, 0, 0)) yields elements 4b..4b+3. Normals use Box-Muller on the
 * pairs (u0,u1) and (u2,u3): z0 = r cos(2πu1), z1 = r sin(2πu1) with r = sqrt(-2 ln u0).
 */
export function random(
  F: FloatArrayConstructor,
  dist: 'uniform' | 'normal',
  key: PhiloxKey,
  counter: number,
  length: number,
): CpuStorage {
  const out = alloc(F, length);
  const block = new Uint32Array(4);
  for (let b = 0; b * 4 < length; b++) {
    const c = counter + b;
    philox4x32(c >>> 0, Math.floor(c / 2 ** 32) >>> 0, 0, 0, key, block);
    const vals = [0, 0, 0, 0];
    if (dist === 'uniform') {
      for (let k = 0; k < 4; k++) vals[k] = u32ToUnit(block[k]);
    } else {
      for (let p = 0; p < 2; p++) {
        const r = Math.sqrt(-2 * Math.log(u32ToUnitOpen(block[2 * p])));
        const t = 2 * Math.PI * u32ToUnit(block[2 * p + 1]);
        vals[2 * p] = r * Math.cos(t);
        vals[2 * p + 1] = r * Math.sin(t);
      }
    }
    for (let k = 0; k < 4 && 4 * b + k < length; k++) out[4 * b + k] = vals[k];
  }
  return { length, data: out };
}
