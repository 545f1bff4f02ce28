// Scans (cumulative sums and products) and stable sorting on typed arrays: the CPU twins of
// shaders/scan.wgsl and shaders/sort.wgsl. Scans accumulate in float64 and round once per output.
import type { ScanOp } from '../backend';
import { alloc, type CpuStorage, type FloatArray } from './storage';

/** Inclusive scan over the middle axis of (outer, size, inner); `reverse` runs from the end of the axis. */
export function scan(
  op: ScanOp,
  x: CpuStorage,
  outer: number,
  size: number,
  inner: number,
  reverse: boolean,
): CpuStorage {
  const src = x.data;
  const out = alloc(src, src.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = op === 'sum' ? 0 : 1;
      for (let s = 0; s < size; s++) {
        const k = reverse ? size - 1 - s : s;
        const j = (o * size + k) * inner + i;
        acc = op === 'sum' ? acc + src[j] : acc * src[j];
        out[j] = acc;
      }
    }
  }
  return { length: out.length, data: out };
}

/**
 * The order every sort rung implements: true when (va at position ia) comes before (vb at ib). NaN goes
 * last in both directions, ties (equal values, -0 and +0 included) keep their order: a total order on
 * (value, position) pairs, so any correct sort gives the same result as a stable one.
 */
export function before(va: number, ia: number, vb: number, ib: number, descending: boolean): boolean {
  const na = Number.isNaN(va);
  const nb = Number.isNaN(vb);
  if (na || nb) return na && nb ? ia < ib : nb;
  if (va !== vb) return descending ? va > vb : va < vb;
  return ia < ib;
}

/** Which path sort() takes: selection where k is a small part of the row, else the full sort. */
export type CpuSortPath = 'auto' | 'sort' | 'select';

/**
 * Stable sort of each row of (rows, size); the first k of each sorted row, values and positions. 'auto'
 * selects where k * 8 < size (one pass keeping the k first; topk 10 of 1e5 sorted the whole row in
 * 31.6 ms); both paths give identical results, as both follow before().
 */
export function sort(
  x: CpuStorage,
  rows: number,
  size: number,
  descending: boolean,
  k: number,
  path: CpuSortPath = 'auto',
): { values: CpuStorage; indices: CpuStorage } {
  const src: FloatArray = x.data;
  const values = alloc(src, rows * k);
  const indices = alloc(src, rows * k);
  if (path === 'select' || (path === 'auto' && k * 8 < size)) {
    selectRows(src, values, indices, rows, size, descending, k);
    return {
      values: { length: values.length, data: values },
      indices: { length: indices.length, data: indices },
    };
  }
  const order = new Array<number>(size);
  for (let r = 0; r < rows; r++) {
    const base = r * size;
    for (let i = 0; i < size; i++) order[i] = i;
    order.sort((a, b) => (before(src[base + a], a, src[base + b], b, descending) ? -1 : 1));
    for (let c = 0; c < k; c++) {
      values[r * k + c] = src[base + order[c]];
      indices[r * k + c] = order[c];
    }
  }
  return {
    values: { length: values.length, data: values },
    indices: { length: indices.length, data: indices },
  };
}

/**
 * The first k of each row by selection: a buffer of the k first seen so far, in order. Each element is
 * compared with the last kept and, only if it comes before, inserted (positions rise, so it goes after
 * kept equal values: stable). O(size) per row for typical data, O(size * k) at worst (a sorted row).
 */
function selectRows(
  src: FloatArray,
  values: FloatArray,
  indices: FloatArray,
  rows: number,
  size: number,
  descending: boolean,
  k: number,
): void {
  if (k === 0) return;
  const kv = new Float64Array(k);
  const ki = new Int32Array(k);
  for (let r = 0; r < rows; r++) {
    const base = r * size;
    let n = 0;
    for (let i = 0; i < size; i++) {
      const v = src[base + i];
      if (n === k) {
        if (!before(v, i, kv[k - 1], ki[k - 1], descending)) continue;
        n--;
      }
      let j = n;
      while (j > 0 && before(v, i, kv[j - 1], ki[j - 1], descending)) {
        kv[j] = kv[j - 1];
        ki[j] = ki[j - 1];
        j--;
      }
      kv[j] = v;
      ki[j] = i;
      n++;
    }
    for (let c = 0; c < k; c++) {
      values[r * k + c] = kv[c];
      indices[r * k + c] = ki[c];
    }
  }
}
