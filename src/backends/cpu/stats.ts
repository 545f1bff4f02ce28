// Statistics kernels on typed arrays, the CPU twins of shaders/stats.wgsl: histogram counts between edges
// with NumPy's rule (bin b holds edges[b] <= v < edges[b+1], the last bin is closed, NaN and values
// outside the edges are not counted), and order statistics (selection on the same sortable keys).
import { alloc, type CpuStorage } from './storage';

/**
 * Counts per bin: each value's bin is the largest b < bins with edges[b] <= v (NaN and values outside
 * [edges[0], edges[bins]] are skipped). Evenly spaced edges: a guess by a product, corrected by the edges
 * themselves (the same walk as the WGSL); otherwise a binary search. One flat loop, no call per value.
 */
export function histogram(x: CpuStorage, edges: CpuStorage, bins: number, uniform: boolean): CpuStorage {
  const out = alloc(x.data, bins);
  const e = edges.data;
  const xs = x.data;
  const lo = e[0];
  const hi = e[bins];
  const last = bins - 1;
  const scale = bins / (hi - lo);
  const guess = uniform && Number.isFinite(scale) && Number.isFinite(lo);
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    if (!(v >= lo && v <= hi)) continue;
    let b: number;
    if (guess) {
      b = Math.min(Math.floor((v - lo) * scale), last);
      while (b > 0 && v < e[b]) b--;
      while (b < last && v >= e[b + 1]) b++;
    } else {
      let c = bins;
      b = 0;
      while (c - b > 1) {
        const m = (b + c) >> 1;
        if (e[m] <= v) b = m;
        else c = m;
      }
    }
    out[b]++;
  }
  return { length: bins, data: out };
}

/** The order-preserving u32 key of a float's bits (shaders/stats.wgsl's sort_key): -0 before +0, NaN last. */
function sortKey(b: number): number {
  if ((b & 0x7fffffff) > 0x7f800000) return 0xffffffff;
  return (b & 0x80000000 ? ~b : b | 0x80000000) >>> 0;
}

function fromSortKey(k: number): number {
  const bits = new Uint32Array([k & 0x80000000 ? k & 0x7fffffff : ~k]);
  return new Float32Array(bits.buffer)[0];
}

/**
 * Moves the k-th smallest of a[lo..hi] to a[k], with nothing larger before it and nothing smaller after
 * (Hoare's selection with a median-of-three pivot; linear on average).
 */
function selectInPlace(a: Uint32Array, k: number, lo: number, hi: number): void {
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const [x, y, z] = [a[lo], a[mid], a[hi]];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return; // a[j+1..i-1] all equal the pivot
  }
}

/** The values at sorted positions `ranks` of each row (NaN last), as the radix selection on the GPU. */
export function orderStatistics(
  x: CpuStorage,
  rows: number,
  size: number,
  ranks: readonly number[],
): CpuStorage {
  const out = alloc(x.data, rows * ranks.length);
  const keys = new Uint32Array(size);
  const order = [...ranks.keys()].sort((p, q) => ranks[p] - ranks[q]);
  if (x.data instanceof Float64Array) {
    // A float64 reference (checkGrad's) must not round to float32 keys: sort each row (NaN last, -0 first).
    for (let r = 0; r < rows; r++) {
      const sorted = x.data.slice(r * size, (r + 1) * size).sort();
      ranks.forEach((k, j) => (out[r * ranks.length + j] = sorted[k]));
    }
    return { length: out.length, data: out };
  }
  for (let r = 0; r < rows; r++) {
    const words = new Uint32Array(x.data.buffer, x.data.byteOffset + r * size * 4, size);
    for (let i = 0; i < size; i++) keys[i] = sortKey(words[i]);
    // Ascending ranks: each selection leaves everything before its rank no larger, so the next searches on.
    let from = 0;
    for (const j of order) {
      selectInPlace(keys, ranks[j], from, size - 1);
      from = ranks[j];
      out[r * ranks.length + j] = fromSortKey(keys[ranks[j]]);
    }
  }
  return { length: out.length, data: out };
}
