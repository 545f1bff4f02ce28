// Batched matmul on the wasm backend. The GotoBLAS loops run inside WebAssembly (matmul_task, reading a
// plan from memory); here the product is split into shares, one per thread, by batches, rows or columns,
// each share with its own packing buffers. Single rows or columns take the matrix-vector kernels.
import type { MatmulPlan } from '../backend';
import type { Heap } from './heap';
import { PLANS } from './heap';
import { KC, MC_ROWS, type MatmulTile, NC, PLAN, PLAN_BYTES, tileTag } from './kernels/matmul';
import type { Kernels } from './module';
import type { WasmStorage } from './storage';
import type { Task, ThreadPool } from './threads';

/** Products below this many FLOPs run on one thread (waking workers costs tens of microseconds). */
export const PARALLEL_FLOPS = 2 ** 21;

const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

/** Where the kernels and the threads are. */
export interface GemmEngine {
  kernels: Kernels;
  heap: Heap;
  tile: MatmulTile;
  pool: ThreadPool | null;
}

/** [start, end) of share t of n items in `parts` shares, the boundaries on multiples of `align`. */
function share(n: number, parts: number, t: number, align: number): [number, number] {
  const units = Math.ceil(n / align);
  const from = Math.floor((units * t) / parts) * align;
  const to = Math.min(n, Math.floor((units * (t + 1)) / parts) * align);
  return [from, to];
}

/** out = A @ B for every batch, out contiguous (batch, M, N). */
export function gemm(e: GemmEngine, a: WasmStorage, b: WasmStorage, out: WasmStorage, p: MatmulPlan): void {
  const { batch, M, K, N } = p;
  if (batch * M * N === 0) return;
  if (K === 0) {
    out.data.fill(0);
    return;
  }
  if ((M === 1 || N === 1) && matvec(e.kernels, e.heap, a, b, out, p)) return;
  const c = { ptr: out.ptr, batch: M * N, row: N };
  gemmAt(e, { ...p.a, ptr: a.ptr }, { ...p.b, ptr: b.ptr }, c, p, false);
}

/** An operand in the memory: the byte address of its element 0 and its element strides. */
export interface Strided {
  ptr: number;
  batch: number;
  row: number;
  col: number;
}

/**
 * C = A @ B, or C -= A @ B (`subtract`), for operands anywhere in the memory: C's rows are contiguous and
 * `c.row` elements apart (a block of a larger matrix, for the factorisations' in-place updates).
 */
export function gemmAt(
  e: GemmEngine,
  a: Strided,
  b: Strided,
  c: Omit<Strided, 'col'>,
  dims: { batch: number; M: number; K: number; N: number },
  subtract: boolean,
): void {
  const { batch, M, K, N } = dims;
  const { MR, NR } = e.tile;
  if (batch * M * N === 0 || K === 0) return;
  const mcMax = Math.min(roundUp(MC_ROWS, MR), roundUp(M, MR));
  // Shares: by batch when there are enough, else by rows, else by columns; one thread for small products.
  const threads = e.pool && 2 * batch * M * N * K >= PARALLEL_FLOPS ? e.pool.threads : 1;
  const by =
    threads === 1
      ? 'none'
      : batch >= threads
        ? 'batch'
        : M >= 2 * threads * MR
          ? 'rows'
          : N >= 2 * threads * NR
            ? 'cols'
            : 'none';
  const parts = by === 'none' ? 1 : threads;
  const tasks: Task[] = [];
  const blocks: number[] = [];
  try {
    for (let t = 0; t < parts; t++) {
      const [z0, z1] = by === 'batch' ? share(batch, parts, t, 1) : [0, batch];
      const [m0, m1] = by === 'rows' ? share(M, parts, t, MR) : [0, M];
      const [n0, n1] = by === 'cols' ? share(N, parts, t, NR) : [0, N];
      if (z0 >= z1 || m0 >= m1 || n0 >= n1) continue;
      // Packed A (mcMax x KC) and its edge tile after it; packed B (KC x NC at most, whole NR panels).
      const ap = e.heap.alloc(mcMax * KC * 4 + MR * NR * 4);
      blocks.push(ap);
      const bp = e.heap.alloc(Math.min(KC, K) * Math.min(NC, roundUp(n1 - n0, NR)) * 4);
      blocks.push(bp);
      const plan = PLANS + tasks.length * PLAN_BYTES;
      const fields: Record<keyof typeof PLAN, number> = {
        a: a.ptr,
        aBatch: a.batch * 4,
        aRow: a.row * 4,
        aCol: a.col * 4,
        b: b.ptr,
        bBatch: b.batch * 4,
        bRow: b.row * 4,
        bCol: b.col * 4,
        c: c.ptr,
        cBatch: c.batch * 4,
        ldc: c.row * 4,
        K,
        z0,
        z1,
        m0,
        m1,
        n0,
        n1,
        ap,
        bp,
        mcMax,
        update: subtract ? 1 : 0,
      };
      // The view is taken after the allocations above: a memory that grew has a new buffer.
      const i32 = e.heap.i32;
      for (const [k, v] of Object.entries(fields)) i32[(plan + PLAN[k as keyof typeof PLAN]) >> 2] = v;
      tasks.push({ fn: `matmul_task_${tileTag(e.tile)}`, args: [plan] });
    }
    if (e.pool && tasks.length > 1) e.pool.run(e.kernels, tasks);
    else e.kernels[tasks[0].fn](...tasks[0].args);
  } finally {
    for (const blk of blocks) e.heap.free(blk);
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
