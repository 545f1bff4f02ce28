// Batched matmul on the wasm backend, blocked like GotoBLAS: for each block of columns (NC) and of k (KC),
// pack B once; for each block of rows (MC), pack A and run the micro-kernel over the block. Packing reads
// any strides, so the transposed operands of backward passes cost no copy.
import type { MatmulPlan } from '../backend';
import type { Heap } from './heap';
import { type MatmulTile, tileTag } from './kernels/matmul';
import type { Kernels } from './module';
import type { WasmStorage } from './storage';

/** Block sizes: a KC x NR panel of B stays in L1 across a row block; an MC x KC block of A in L2. */
const KC = 256;
const MC_ROWS = 96;
const NC = 2048;

const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

/** out = A @ B for every batch, out contiguous (batch, M, N). */
export function gemm(
  kernels: Kernels,
  heap: Heap,
  tile: MatmulTile,
  a: WasmStorage,
  b: WasmStorage,
  out: WasmStorage,
  p: MatmulPlan,
): void {
  const { batch, M, K, N } = p;
  const { MR, NR } = tile;
  const tag = tileTag(tile);
  const packA = kernels[`pack_a_${tag}`];
  const packB = kernels[`pack_b_${tag}`];
  const run = kernels[`gemm_${tag}`];
  if (batch * M * N === 0) return;
  if (K === 0) {
    out.data.fill(0);
    return;
  }
  if ((M === 1 || N === 1) && matvec(kernels, heap, a, b, out, p)) return;
  const mcMax = Math.min(roundUp(MC_ROWS, MR), roundUp(M, MR));
  const kcMax = Math.min(KC, K);
  const ncMax = Math.min(NC, roundUp(N, NR));
  const ap = heap.alloc(mcMax * kcMax * 4);
  const bp = heap.alloc(roundUp(ncMax, NR) * kcMax * 4);
  try {
    for (let z = 0; z < batch; z++) {
      const aBase = a.ptr + z * p.a.batch * 4;
      const bBase = b.ptr + z * p.b.batch * 4;
      const cBase = out.ptr + z * M * N * 4;
      for (let jc = 0; jc < N; jc += NC) {
        const nc = Math.min(NC, N - jc);
        for (let pc = 0; pc < K; pc += KC) {
          const kc = Math.min(KC, K - pc);
          packB(bBase + (pc * p.b.row + jc * p.b.col) * 4, bp, kc, nc, p.b.row * 4, p.b.col * 4);
          for (let ic = 0; ic < M; ic += mcMax) {
            const mc = Math.min(mcMax, M - ic);
            packA(aBase + (ic * p.a.row + pc * p.a.col) * 4, ap, mc, kc, p.a.row * 4, p.a.col * 4);
            run(ap, bp, cBase + (ic * N + jc) * 4, mc, nc, kc, N * 4, pc > 0 ? 1 : 0);
          }
        }
      }
    }
  } finally {
    heap.free(ap);
    heap.free(bp);
  }
}

/**
 * A product with one row (M = 1) or one column (N = 1): each output is a dot product or an axpy over rows,
 * reading the matrix once without packing. Returns false for strides these kernels do not take.
 */
function matvec(
  kernels: Kernels,
  heap: Heap,
  a: WasmStorage,
  b: WasmStorage,
  out: WasmStorage,
  p: MatmulPlan,
): boolean {
  const { batch, M, K, N } = p;
  // The vector x (K elements, stride xs) and the matrix R read as K rows of `len` (axpy) or `len` rows of K
  // (dots): for M = 1, x is A's row and R is B; for N = 1, x is B's column and R is A.
  const rowCase = M === 1;
  const [xOp, xStride] = rowCase ? [a, p.a.col] : [b, p.b.row];
  const [rOp, rStrides] = rowCase ? [b, p.b] : [a, { batch: p.a.batch, row: p.a.col, col: p.a.row }];
  const len = rowCase ? N : M;
  // rStrides: element (k, j) of R (j < len) at k*row + j*col.
  const axpy = rStrides.col === 1;
  if (!axpy && rStrides.row !== 1) return false;
  const xBatch = rowCase ? p.a.batch : p.b.batch;
  const contiguous = xStride === 1 || axpy ? 0 : heap.alloc(K * 4);
  try {
    for (let z = 0; z < batch; z++) {
      let x = xOp.ptr + z * xBatch * 4;
      const r = rOp.ptr + z * rStrides.batch * 4;
      const o = out.ptr + z * M * N * 4;
      if (axpy) {
        kernels.axpy_rows(x, xStride * 4, r, rStrides.row * 4, K, len, o);
        continue;
      }
      if (contiguous) {
        const f = heap.f32;
        for (let k = 0; k < K; k++) f[contiguous / 4 + k] = f[x / 4 + k * xStride];
        x = contiguous;
      }
      kernels.dots(x, r, rStrides.col * 4, K, len, o);
    }
  } finally {
    if (contiguous) heap.free(contiguous);
  }
  return true;
}
