// Statistics kernels on typed arrays, the CPU twins of shaders/stats.wgsl: histogram counts between edges
// with NumPy's rule (bin b holds edges[b] <= v < edges[b+1], the last bin is closed, NaN and values
// outside the edges are not counted).
import { alloc, type CpuStorage } from './storage';

/** The largest b < bins with edges[b] <= v, or -1 for NaN and values outside [edges[0], edges[bins]]. */
function binOf(v: number, e: ArrayLike<number>, bins: number, uniform: boolean): number {
  const lo = e[0];
  const hi = e[bins];
  if (!(v >= lo && v <= hi)) return -1;
  const last = bins - 1;
  const t = uniform ? ((v - lo) / (hi - lo)) * bins : NaN;
  if (Number.isFinite(t)) {
    // A guess from the division, corrected by the edges themselves (the same walk as the WGSL).
    let b = Math.min(Math.floor(Math.max(t, 0)), last);
    while (b > 0 && v < e[b]) b--;
    while (b < last && v >= e[b + 1]) b++;
    return b;
  }
  let a = 0;
  let c = bins;
  while (c - a > 1) {
    const m = (a + c) >> 1;
    if (e[m] <= v) a = m;
    else c = m;
  }
  return a;
}

export function histogram(x: CpuStorage, edges: CpuStorage, bins: number, uniform: boolean): CpuStorage {
  const out = alloc(x.data, bins);
  const e = edges.data;
  for (const v of x.data) {
    const b = binOf(v, e, bins, uniform);
    if (b >= 0) out[b]++;
  }
  return { length: bins, data: out };
}
