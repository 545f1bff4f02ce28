// gather and oneHot on the wasm backend: row copies inside the memory (copyWithin is a memmove), no
// arithmetic to vectorise. Indices that are not integers in range gather NaN, as on the other backends.
import type { WasmStorage } from './storage';

const validIndex = (v: number, limit: number) => Number.isInteger(v) && v >= 0 && v < limit;

/** out(outer, n, inner) = x(outer, indices[j], inner). */
export function gather(
  x: WasmStorage,
  indices: WasmStorage,
  out: WasmStorage,
  outer: number,
  size: number,
  inner: number,
): void {
  const f = x.heap.f32;
  const idx = indices.data.slice(); // a copy: small, and safe from the writes below
  const n = idx.length;
  const src = x.ptr >>> 2;
  const dst = out.ptr >>> 2;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < n; j++) {
      const to = dst + (o * n + j) * inner;
      if (validIndex(idx[j], size)) {
        const from = src + (o * size + idx[j]) * inner;
        f.copyWithin(to, from, from + inner);
      } else f.fill(Number.NaN, to, to + inner);
    }
  }
}

/** out(n, depth) = 1 where indices[j] == column, else 0. */
export function oneHot(indices: WasmStorage, out: WasmStorage, depth: number): void {
  const f = out.heap.f32;
  const dst = out.ptr >>> 2;
  const idx = indices.data;
  f.fill(0, dst, dst + out.length);
  for (let j = 0; j < idx.length; j++) if (validIndex(idx[j], depth)) f[dst + j * depth + idx[j]] = 1;
}
