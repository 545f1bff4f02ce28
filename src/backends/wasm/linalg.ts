// LU with partial pivoting, Cholesky and triangular solves on the wasm backend, in place in its memory:
// recursive (Toledo 1997; Gustavson 1997), so nearly every FLOP is a matmul. Each halves the columns,
// factors the left half, solves for the top of the right half and updates the rest with one C -= A B
// (the matmul kernel writing into a block of the matrix), then factors that. The halves end in the
// unblocked SIMD kernels of kernels/linalg.ts. Same meaning as src/backends/cpu/linalg.ts.
import { type GemmEngine, gemmAt } from './gemm';

/** A matrix in the memory: element (i, j) at byte ptr + 4 (i rs + j cs). */
interface View {
  ptr: number;
  rs: number;
  cs: number;
}

const at = (v: View, i: number, j: number): View => ({
  ptr: v.ptr + 4 * (i * v.rs + j * v.cs),
  rs: v.rs,
  cs: v.cs,
});
const transposed = (v: View): View => ({ ptr: v.ptr, rs: v.cs, cs: v.rs });

/**
 * @internal Widths at and below which the unblocked kernels take over from the recursion (tuning knobs,
 * measured in Node on x86-64): below them the matmuls are too thin to beat the kernels' own loops.
 */
export const UNBLOCKED_UP_TO = { lu: 16, cholesky: 32, triangular: 32, gram: 64 };

/** Where to split n >= 2 columns: about half, on a multiple of 8 (the matmul tile's width) from 32 on. */
const half = (n: number) => (n >= 32 ? Math.floor(n / 16) * 8 : Math.floor(n / 2));

/** C -= A B for A (M, K), B (K, N) and C (M, N) with contiguous rows. */
function subtractProduct(e: GemmEngine, C: View, A: View, B: View, M: number, N: number, K: number) {
  gemmAt(
    e,
    { ptr: A.ptr, batch: 0, row: A.rs, col: A.cs },
    { ptr: B.ptr, batch: 0, row: B.rs, col: B.cs },
    { ptr: C.ptr, batch: 0, row: C.rs },
    { batch: 1, M, K, N },
    true,
  );
}

/** B = A^-1 B in place for triangular A (n, n) (`lower` or upper, any strides) and B (n, k), rows contiguous. */
function solveTriangularAt(
  e: GemmEngine,
  A: View,
  B: View,
  n: number,
  k: number,
  lower: boolean,
  unit: boolean,
): void {
  if (k === 1 && B.rs === 1 && (A.cs === 1 || A.rs === 1)) {
    // One right-hand side: substitution along contiguous rows or columns of A, read once.
    e.kernels.trsv(A.ptr, 4 * A.rs, 4 * A.cs, B.ptr, 0, 1, n, lower ? 1 : 0, unit ? 1 : 0);
    return;
  }
  if (n <= UNBLOCKED_UP_TO.triangular) {
    e.kernels.trsm_left(A.ptr, 4 * A.rs, 4 * A.cs, B.ptr, 4 * B.rs, n, k, lower ? 1 : 0, unit ? 1 : 0);
    return;
  }
  const h = half(n);
  const [B1, B2] = [B, at(B, h, 0)];
  if (lower) {
    solveTriangularAt(e, A, B1, h, k, lower, unit);
    subtractProduct(e, B2, at(A, h, 0), B1, n - h, k, h);
    solveTriangularAt(e, at(A, h, h), B2, n - h, k, lower, unit);
  } else {
    solveTriangularAt(e, at(A, h, h), B2, n - h, k, lower, unit);
    subtractProduct(e, B1, at(A, 0, h), B2, h, k, n - h);
    solveTriangularAt(e, A, B1, h, k, lower, unit);
  }
}

/** An LU in progress: the m x width matrix, its perm, and room for one unblocked panel and its pivots. */
interface Lu {
  e: GemmEngine;
  a: View;
  m: number;
  width: number;
  /** Byte address of the float32 row numbers (m). */
  perm: number;
  /** Byte address of m x UNBLOCKED_UP_TO.lu floats, then as many int32 pivots. */
  panel: number;
}

/**
 * Columns [k0, k0 + w) of the unblocked kernel, in a contiguous copy: down a column of the matrix each
 * row is a page apart, so the kernel's passes over the panel would miss the TLB on every row. The row
 * swaps are then replayed on the whole rows of the matrix, and the factored panel copied back.
 */
function luPanelCopied(f: Lu, k0: number, w: number): number {
  const { e, a, m, width } = f;
  const rows = m - k0;
  const src = at(a, k0, k0).ptr;
  const pivots = f.panel + rows * w * 4;
  e.kernels.copy_block(src, 4 * a.rs, f.panel, 4 * w, rows, w);
  const swaps = e.kernels.lu_panel(f.panel, 4 * w, w, rows, 0, w, f.perm + 4 * k0, pivots) as number;
  if (swaps > 0) e.kernels.swap_rows(at(a, k0, 0).ptr, 4 * a.rs, width, pivots, Math.min(w, rows));
  e.kernels.copy_block(f.panel, 4 * w, src, 4 * a.rs, rows, w);
  return swaps;
}

/** Columns [k0, k0 + w) of P A = L U, rows [k0, m) left to pivot over. Returns the number of swaps. */
function luColumns(f: Lu, k0: number, w: number): number {
  const { e, a, m, width } = f;
  if (w <= UNBLOCKED_UP_TO.lu) {
    if (w < width) return luPanelCopied(f, k0, w);
    return e.kernels.lu_panel(a.ptr, 4 * a.rs, width, m, k0, w, f.perm, f.panel) as number;
  }
  const h = half(w);
  let swaps = luColumns(f, k0, h);
  // The right half: U12 = L11^-1 A12, then A22 -= L21 U12, then its own factorisation.
  const A12 = at(a, k0, k0 + h);
  solveTriangularAt(e, at(a, k0, k0), A12, h, w - h, true, true);
  subtractProduct(e, at(a, k0 + h, k0 + h), at(a, k0 + h, k0), A12, m - k0 - h, w - h, h);
  swaps += luColumns(f, k0 + h, w - h);
  return swaps;
}

/**
 * P A = L U in place for `batch` m x width matrices at a (contiguous), over min(m, width) columns as the
 * TypeScript kernel's luPanel: perm (batch, m) gets the row numbers and sign (batch) det(P), both float32
 * at those byte addresses.
 */
export function luBatch(
  e: GemmEngine,
  a: number,
  batch: number,
  m: number,
  width: number,
  perm: number,
  sign: number,
): void {
  const w = Math.min(m, width);
  const panel = e.heap.alloc(m * (Math.min(UNBLOCKED_UP_TO.lu, width) + 1) * 4);
  const rows = Float32Array.from({ length: m }, (_, i) => i);
  try {
    for (let z = 0; z < batch; z++) {
      const A = { ptr: a + z * m * width * 4, rs: width, cs: 1 };
      const f = { e, a: A, m, width, perm: perm + z * m * 4, panel };
      e.heap.f32.set(rows, f.perm >>> 2);
      const swaps = luColumns(f, 0, w);
      // A wide matrix: the columns past m only take the row operations, U12 = L^-1 A12.
      if (width > m) solveTriangularAt(e, A, at(A, 0, m), m, width - m, true, true);
      // Through the memory's view of now: the matmuls may have grown it.
      e.heap.f32[(sign >>> 2) + z] = swaps % 2 ? -1 : 1;
    }
  } finally {
    e.heap.free(panel);
  }
}

/**
 * B = B L^-T in place for lower L (n, n) and B (m, n), both with contiguous rows; `scratch` holds 16 n
 * bytes.
 */
function solveRightLowerTransposed(e: GemmEngine, L: View, B: View, m: number, n: number, scratch: number) {
  if (n <= UNBLOCKED_UP_TO.triangular) {
    // Each row b of B solves L x = b^T: four rows at a time, one per lane; the last few one by one.
    const m4 = m & ~3;
    if (m4 > 0) e.kernels.trsm_right_lt(L.ptr, 4 * L.rs, B.ptr, 4 * B.rs, m4, n, scratch);
    if (m4 < m) e.kernels.trsv(L.ptr, 4 * L.rs, 4, at(B, m4, 0).ptr, 4 * B.rs, m - m4, n, 1, 0);
    return;
  }
  const h = half(n);
  // [X1 X2] [L11^T L21^T; 0 L22^T] = [B1 B2]: X1 from B1, then B2 -= X1 L21^T, then X2 from it.
  solveRightLowerTransposed(e, L, B, m, h, scratch);
  subtractProduct(e, at(B, 0, h), B, transposed(at(L, h, 0)), m, n - h, h);
  solveRightLowerTransposed(e, at(L, h, h), at(B, 0, h), m, n - h, scratch);
}

/** The lower triangle of C (n, n) -= X X^T for X (n, k): only blocks that touch the lower triangle. */
function subtractGram(e: GemmEngine, C: View, X: View, n: number, k: number): void {
  if (n <= UNBLOCKED_UP_TO.gram) {
    subtractProduct(e, C, X, transposed(X), n, n, k);
    return;
  }
  const h = half(n);
  subtractGram(e, C, X, h, k);
  subtractProduct(e, at(C, h, 0), at(X, h, 0), transposed(X), n - h, h, k);
  subtractGram(e, at(C, h, h), at(X, h, 0), n - h, k);
}

/**
 * A = L L^T in place for the n x n block at (k0, k0) of a: only its lower triangle is read or written.
 * Returns -1, or the first pivot (counted from the block of a at 0) that is not positive.
 */
function choleskyLower(e: GemmEngine, a: View, k0: number, n: number, scratch: number): number {
  const A = at(a, k0, k0);
  if (n <= UNBLOCKED_UP_TO.cholesky) {
    const info = e.kernels.chol_lower(A.ptr, 4 * A.rs, n) as number;
    return info < 0 ? -1 : k0 + info;
  }
  const h = half(n);
  const failed = choleskyLower(e, a, k0, h, scratch);
  if (failed >= 0) return failed;
  // L21 = A21 L11^-T, then A22 -= L21 L21^T, then its own factorisation.
  const A21 = at(A, h, 0);
  solveRightLowerTransposed(e, A, A21, n - h, h, scratch);
  subtractGram(e, at(A, h, h), A21, n - h, h);
  return choleskyLower(e, a, k0 + h, n - h, scratch);
}

/**
 * The lower Cholesky factors of `batch` n x n matrices at src (only their lower triangles read) into dst:
 * L with zeros above the diagonal, or NaN throughout where a pivot fails; info (batch, float32) gets -1 or
 * the first pivot that is not positive.
 */
export function choleskyBatch(
  e: GemmEngine,
  src: number,
  dst: number,
  info: number,
  batch: number,
  n: number,
): void {
  const size = n * n;
  e.heap.f32.copyWithin(dst >>> 2, src >>> 2, (src >>> 2) + batch * size);
  const scratch = e.heap.alloc(16 * n);
  try {
    for (let z = 0; z < batch; z++) {
      const failed = choleskyLower(e, { ptr: dst + z * size * 4, rs: n, cs: 1 }, 0, n, scratch);
      // Views taken after the matmuls' allocations, which may have grown the memory.
      const out = e.heap.f32.subarray((dst >>> 2) + z * size, (dst >>> 2) + (z + 1) * size);
      e.heap.f32[(info >>> 2) + z] = failed;
      if (failed >= 0) {
        out.fill(NaN);
        continue;
      }
      // The input's upper triangle (and the diagonal blocks' updates above it) give way to zeros.
      for (let i = 0; i < n - 1; i++) out.fill(0, i * n + i + 1, (i + 1) * n);
    }
  } finally {
    e.heap.free(scratch);
  }
}

/**
 * X = op(A)^-1 B in place in b for `batch` triangular n x n matrices at a and n x k right-hand sides at b,
 * as the TypeScript kernel's triangularSolve: op(A) is A or A^T, `lower` names its triangle.
 */
export function triangularSolveBatch(
  e: GemmEngine,
  a: number,
  b: number,
  batch: number,
  n: number,
  k: number,
  o: { lower: boolean; transpose: boolean; unitDiagonal: boolean },
): void {
  for (let z = 0; z < batch; z++) {
    const A = { ptr: a + z * n * n * 4, rs: n, cs: 1 };
    const X = { ptr: b + z * n * k * 4, rs: k, cs: 1 };
    solveTriangularAt(e, o.transpose ? transposed(A) : A, X, n, k, o.lower, o.unitDiagonal);
  }
}
