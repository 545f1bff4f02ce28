// How a broadcasting binary op reaches the wasm kernels: the output's axes are simplified (axes of size 1
// dropped, neighbours that every operand walks in step merged), the last two become a block of rows x n
// per kernel call, and the axes before them are walked here.
import { collapseAxes } from '../axes';
import type { Operand } from '../backend';
import type { WasmStorage } from './storage';

/**
 * Calls kernel(a, aRow, aCol, b, bRow, bCol, out, rows, n) (strides in bytes) over the output shape, one
 * call per index of the axes before the last two. Number operands are read from `constAt` (one f32 each).
 */
export function forEachBlock(
  a: Operand,
  b: Operand,
  outShape: readonly number[],
  out: WasmStorage,
  constAt: (which: 0 | 1, value: number) => number,
  kernel: (...args: number[]) => unknown,
): void {
  const zeros = outShape.map(() => 0);
  const ptrOf = (x: Operand, which: 0 | 1) =>
    typeof x === 'number' ? constAt(which, x) : (x.data as WasmStorage).ptr;
  const stridesOf = (x: Operand) => (typeof x === 'number' ? zeros : [...x.strides]);
  const { shape, strides } = collapseAxes(outShape, [stridesOf(a), stridesOf(b)]);
  // Pad to two axes: (rows, n).
  while (shape.length < 2) {
    shape.unshift(1);
    strides.forEach((s) => s.unshift(0));
  }
  const r = shape.length;
  const [sa, sb] = strides;
  const [pa, pb] = [ptrOf(a, 0), ptrOf(b, 1)];
  const rows = shape[r - 2];
  const n = shape[r - 1];
  const block = rows * n;
  const outer = shape.slice(0, r - 2);
  const count = outer.reduce((x, y) => x * y, 1);
  const idx = outer.map(() => 0);
  let offA = 0;
  let offB = 0;
  for (let blk = 0; blk < count; blk++) {
    kernel(
      pa + offA * 4,
      sa[r - 2] * 4,
      sa[r - 1] * 4,
      pb + offB * 4,
      sb[r - 2] * 4,
      sb[r - 1] * 4,
      out.ptr + blk * block * 4,
      rows,
      n,
    );
    // Odometer over the outer axes.
    for (let ax = outer.length - 1; ax >= 0; ax--) {
      idx[ax]++;
      offA += sa[ax];
      offB += sb[ax];
      if (idx[ax] < outer[ax]) break;
      offA -= sa[ax] * outer[ax];
      offB -= sb[ax] * outer[ax];
      idx[ax] = 0;
    }
  }
}
