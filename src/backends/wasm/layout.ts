// gather and oneHot on the wasm backend: row copies inside the memory (copyWithin is a memmove), no
// arithmetic to vectorise. Indices that are not integers in range gather NaN, as on the other backends.
// And random fills from the Philox words the kernel writes: uniform, normal (Box-Muller) and integers.
import { type PhiloxKey, u32ToUnit, u32ToUnitOpen } from '../../random';
import { scaleWord } from '../cpu/scatter';
import type { Heap } from './heap';
import type { Kernels } from './module';
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

/**
 * Fills out from the Philox stream (key, counter): element i is word i of the stream, as a uniform in
 * [0, 1), paired into normals by Box-Muller (z0 = r cos 2 pi u1, z1 = r sin 2 pi u1 with r =
 * sqrt(-2 ln u0), in float64 as src/backends/cpu/layout.ts does), or scaled into the integers [low, high).
 */
export function philoxFill(
  kernels: Kernels,
  heap: Heap,
  out: WasmStorage,
  key: PhiloxKey,
  counter: number,
  kind: { dist: 'uniform' | 'normal' } | { low: number; high: number },
): void {
  const n = out.length;
  const blocks = Math.ceil(Math.ceil(n / 4) / 4) * 4; // whole vectors of four blocks
  const words = heap.alloc(blocks * 16);
  const uniform = 'dist' in kind && kind.dist === 'uniform';
  kernels.philox(
    words,
    blocks,
    key.lo >>> 0,
    key.hi >>> 0,
    counter >>> 0,
    Math.floor(counter / 2 ** 32) >>> 0,
    uniform ? 1 : 0,
  );
  const f = heap.f32;
  const dst = out.ptr >>> 2;
  if (uniform) {
    f.copyWithin(dst, words >>> 2, (words >>> 2) + n);
  } else {
    const w = new Uint32Array(heap.memory.buffer, words, blocks * 4);
    if ('dist' in kind) {
      for (let i = 0; i < n; i += 2) {
        const r = Math.sqrt(-2 * Math.log(u32ToUnitOpen(w[i])));
        const t = 2 * Math.PI * u32ToUnit(w[i + 1]);
        f[dst + i] = r * Math.cos(t);
        if (i + 1 < n) f[dst + i + 1] = r * Math.sin(t);
      }
    } else {
      const range = kind.high - kind.low;
      for (let i = 0; i < n; i++) f[dst + i] = kind.low + scaleWord(w[i], range);
    }
  }
  heap.free(words);
}
