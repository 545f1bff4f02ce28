// Strided copies on typed arrays for slice, flip, pad and concat: an element offset and signed strides on
// either side. The meaning shaders/shape.wgsl must match.
import { alloc, type CpuStorage } from './storage';

/**
 * Calls visit(a, b) for every multi-index of `shape` in row-major order, with a = offA + idx . stridesA and
 * b = offB + idx . stridesB (an odometer over the axes, so no division per element).
 */
function walk(
  shape: readonly number[],
  offA: number,
  stridesA: readonly number[],
  offB: number,
  stridesB: readonly number[],
  visit: (a: number, b: number) => void,
): void {
  let n = 1;
  for (const d of shape) n *= d;
  if (n === 0) return;
  const rank = shape.length;
  const counter = new Array<number>(rank).fill(0);
  let a = offA;
  let b = offB;
  for (let i = 0; i < n; i++) {
    visit(a, b);
    for (let ax = rank - 1; ax >= 0; ax--) {
      counter[ax]++;
      a += stridesA[ax];
      b += stridesB[ax];
      if (counter[ax] < shape[ax]) break;
      a -= stridesA[ax] * shape[ax];
      b -= stridesB[ax] * shape[ax];
      counter[ax] = 0;
    }
  }
}

export function stridedRead(
  x: CpuStorage,
  offset: number,
  strides: readonly number[],
  outShape: readonly number[],
): CpuStorage {
  let n = 1;
  for (const d of outShape) n *= d;
  const out = alloc(x.data, n);
  const src = x.data;
  let i = 0;
  walk(outShape, offset, strides, 0, strides, (a) => {
    out[i++] = src[a];
  });
  return { length: n, data: out };
}

export function stridedInto(
  dst: CpuStorage,
  dstOffset: number,
  dstStrides: readonly number[],
  src: CpuStorage,
  srcStrides: readonly number[],
  shape: readonly number[],
): void {
  const d = dst.data;
  const s = src.data;
  walk(shape, dstOffset, dstStrides, 0, srcStrides, (a, b) => {
    d[a] = s[b];
  });
}
