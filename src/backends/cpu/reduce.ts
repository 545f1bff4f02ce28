// Reductions and the softmax family on typed arrays, over the middle axis of (outer, size, inner).
// Sums and products accumulate in float64; max/min propagate NaN; argmax/argmin return the first index (NaN counts as max).
import type { ReduceOp, SoftmaxMode } from '../backend';
import { alloc, type CpuStorage } from './storage';

export function reduce(op: ReduceOp, x: CpuStorage, outer: number, size: number, inner: number): CpuStorage {
  const src = x.data;
  const out = alloc(src, outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let r: number;
      if (op === 'sum' || op === 'mean') {
        r = 0;
        for (let k = 0; k < size; k++) r += src[base + k * inner];
        if (op === 'mean') r /= size;
      } else if (op === 'prod') {
        r = 1;
        for (let k = 0; k < size; k++) r *= src[base + k * inner];
      } else if (op === 'max' || op === 'min') {
        r = op === 'max' ? -Infinity : Infinity;
        for (let k = 0; k < size; k++) {
          const v = src[base + k * inner];
          if (Number.isNaN(v)) {
            r = Number.NaN;
            break;
          }
          if (op === 'max' ? v > r : v < r) r = v;
        }
      } else {
        let best = src[base];
        r = 0;
        for (let k = 1; k < size && !Number.isNaN(best); k++) {
          const v = src[base + k * inner];
          if (Number.isNaN(v) || (op === 'argmax' ? v > best : v < best)) {
            best = v;
            r = k;
          }
        }
      }
      out[o * inner + i] = r;
    }
  }
  return { length: out.length, data: out };
}

export function softmax(
  mode: SoftmaxMode,
  x: CpuStorage,
  outer: number,
  size: number,
  inner: number,
): CpuStorage {
  const src = x.data;
  const out = alloc(src, mode === 'logSumExp' ? outer * inner : outer * size * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let m = -Infinity;
      for (let k = 0; k < size; k++) {
        const v = src[base + k * inner];
        m = Number.isNaN(v) || v > m ? v : m;
      }
      // Shift by the max for stability; an infinite or NaN max is not subtracted (it would make NaN).
      const shift = Number.isFinite(m) ? m : 0;
      let s = 0;
      for (let k = 0; k < size; k++) s += Math.exp(src[base + k * inner] - shift);
      const lse = shift + Math.log(s);
      if (mode === 'logSumExp') {
        out[o * inner + i] = lse;
      } else if (mode === 'logSoftmax') {
        for (let k = 0; k < size; k++) out[base + k * inner] = src[base + k * inner] - lse;
      } else {
        for (let k = 0; k < size; k++) out[base + k * inner] = Math.exp(src[base + k * inner] - shift) / s;
      }
    }
  }
  return { length: out.length, data: out };
}
