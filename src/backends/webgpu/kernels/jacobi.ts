// Plans eigh and svd of shaders/linalg_jacobi.wgsl: one workgroup per matrix, the batch over grid2d.
// Rungs: 'workgroup' keeps the work matrix in workgroup memory (eigh: n <= 64 as a packed triangle; svd:
// max(m,n) * min(m,n) <= 4096 and min(m,n) <= 64); 'global' keeps it in a scratch buffer, for any size.
//
// Why one workgroup per matrix for large n too: Jacobi's rounds depend on each other, and a round of a
// 512 x 512 matrix is ~130k small updates, too little to fill a GPU through one dispatch per round without
// the dispatches themselves dominating. The global rung runs the same sweeps, 256 invocations on one matrix,
// with barriers instead of dispatches: correct for any n and converging by the same tolerance, though it
// leaves most of a large GPU idle for a single big matrix (batches fill it). Blocked (two-sided block)
// Jacobi with matmul updates would be the next rung for one large matrix.
import { grid2d } from '../grid';
import { Params } from '../params';
import type { GpuRunner, GpuStorage } from '../runner';
import { SHADERS } from '../shaders';

/** Which rung runs: 'auto' chooses 'workgroup' where the matrix fits workgroup memory. */
export type JacobiVariant = 'auto' | 'workgroup' | 'global';

/** float32 Jacobi converges in ~6-12 sweeps; the cap only bounds the time of a matrix that never settles. */
const MAX_SWEEPS = 30;
const SHARED_WG = 64;
const GLOBAL_WG = 256;
/** (c, s, t) of up to 32 pairs: matrices up to 64 columns on the workgroup rung. */
const ROT_LEN = 96;
/** eigh's packed 64 x 64 triangle. */
const EIGH_SHARED = (64 * 65) / 2;
const SVD_SHARED = 4096;

interface Plan {
  shared: boolean;
  constants: Record<string, number>;
  stride: number;
  workOff: number;
  rotOff: number;
  auxOff: number;
}

/**
 * The rung and the scratch layout per matrix: V (cols^2) first, then (global rung) the work matrix and the
 * rotations, then `aux` elements per column.
 */
function plan(
  r: GpuRunner,
  variant: JacobiVariant,
  fits: boolean,
  sharedLen: number,
  cols: number,
  work: number,
  aux: number,
): Plan {
  // 16 bytes for the atomics and flags beside the arrays.
  const bytes = (sharedLen + ROT_LEN) * 4 + 32;
  const shared = variant !== 'global' && fits && bytes <= r.limits.maxComputeWorkgroupStorageSize;
  const pairs = Math.ceil(cols / 2);
  const workOff = cols * cols;
  const rotOff = workOff + (shared ? 0 : work);
  const auxOff = rotOff + (shared ? 0 : 3 * pairs);
  return {
    shared,
    constants: shared
      ? { WG: SHARED_WG, IN_SHARED: 1, SHARED_LEN: sharedLen, ROT_LEN }
      : { WG: GLOBAL_WG, IN_SHARED: 0, SHARED_LEN: 1, ROT_LEN: 1 },
    stride: auxOff + aux * cols,
    workOff,
    rotOff,
    auxOff,
  };
}

function params(batch: number, rows: number, cols: number, p: Plan): Params {
  return new Params().u32(batch, rows, cols, MAX_SWEEPS, p.stride, p.workOff, p.rotOff, p.auxOff);
}

/** Eigenvalues (batch, n) ascending and eigenvectors (batch, n, n) of the symmetric parts of x's matrices. */
export function eigh(
  r: GpuRunner,
  x: GpuStorage,
  batch: number,
  n: number,
  variant: JacobiVariant,
): { values: GpuStorage; vectors: GpuStorage } {
  const values = r.alloc(batch * n);
  const vectors = r.alloc(batch * n * n);
  // Empty batches and 0 x 0 matrices never reach a backend (src/linalg answers them itself).
  if (batch === 0 || n === 0) return { values, vectors };
  const p = plan(r, variant, n <= 64, EIGH_SHARED, n, (n * (n + 1)) / 2, 2);
  const scratch = r.alloc(batch * p.stride);
  r.dispatch({
    shader: SHADERS.linalgJacobi,
    entry: 'eigh',
    constants: p.constants,
    params: params(batch, n, n, p),
    buffers: [x, scratch, values, vectors],
    workgroups: grid2d(batch),
  });
  r.free(scratch);
  return { values, vectors };
}

/** Reduced SVDs of x's m x n matrices: u (batch, m, k), s (batch, k) descending, vt (batch, k, n). */
export function svd(
  r: GpuRunner,
  x: GpuStorage,
  batch: number,
  m: number,
  n: number,
  variant: JacobiVariant,
): { u: GpuStorage; s: GpuStorage; vt: GpuStorage } {
  const k = Math.min(m, n);
  const rows = Math.max(m, n);
  const u = r.alloc(batch * m * k);
  const s = r.alloc(batch * k);
  const vt = r.alloc(batch * k * n);
  if (batch === 0 || k === 0) return { u, s, vt };
  const p = plan(r, variant, rows * k <= SVD_SHARED && k <= 64, SVD_SHARED, k, rows * k, 5);
  const scratch = r.alloc(batch * p.stride);
  r.dispatch({
    shader: SHADERS.linalgJacobi,
    entry: 'svd',
    constants: p.constants,
    params: params(batch, m, n, p),
    buffers: [x, scratch, u, s, vt],
    workgroups: grid2d(batch),
  });
  r.free(scratch);
  return { u, s, vt };
}
