// Plans eigh and svd of shaders/linalg_jacobi.wgsl: a workgroup per matrix (the batch over grid2d), or an
// invocation per matrix for batches of small ones.
// Rungs: 'workgroup' keeps the work matrix in workgroup memory (eigh: n <= 64 as a packed triangle; svd:
// max(m,n) * min(m,n) <= 4096 and min(m,n) <= 64); 'global' keeps it in a scratch buffer, for any size;
// 'thread' gives each matrix one invocation and no barriers (any size; for batches of small matrices).
//
// Why one workgroup per matrix for large n too: Jacobi's rounds depend on each other, and a round of a
// 512 x 512 matrix is ~130k small updates, too little to fill a GPU through one dispatch per round without
// the dispatches themselves dominating. The global rung runs the same sweeps, 256 invocations on one matrix,
// with barriers instead of dispatches: correct for any n and converging by the same tolerance, though it
// leaves most of a large GPU idle for a single big matrix (batches fill it). Blocked (two-sided block)
// Jacobi with matmul updates would be the next rung for one large matrix.
import { grid2d, gridFor } from '../grid';
import { Params } from '../params';
import type { GpuRunner, GpuStorage } from '../runner';
import { SHADERS } from '../shaders';
import { perThread } from './linalg';

/**
 * Which rung runs: 'auto' chooses 'thread' for small matrices and batches of them (see `thread`), else
 * 'workgroup' where the matrix fits workgroup memory, else 'global'.
 */
export type JacobiVariant = 'auto' | 'thread' | 'workgroup' | 'global';

/** float32 Jacobi converges in ~6-12 sweeps; the cap only bounds the time of a matrix that never settles. */
const MAX_SWEEPS = 30;
const SHARED_WG = 64;
const GLOBAL_WG = 256;
/** (c, s, t) of up to 32 pairs: matrices up to 64 columns on the workgroup rung. */
const ROT_LEN = 96;
/** eigh's packed 64 x 64 triangle. */
const EIGH_SHARED = (64 * 65) / 2;
const SVD_SHARED = 4096;
/** Invocations per workgroup of the thread rung (THREAD_WG in the shader). */
const THREAD_WG = 64;

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

/** The thread rung's scratch is interleaved over the batch (no per-matrix stride) and has no rotations. */
function threadParams(batch: number, rows: number, cols: number, workOff: number, auxOff: number): Params {
  return new Params().u32(batch, rows, cols, MAX_SWEEPS, 0, workOff, 0, auxOff);
}

/**
 * Whether the thread rung runs (size = max(m, n)). 'auto' on a software adapter, where each workgroup
 * runs on one CPU thread and a barrier costs tens of microseconds: up to 32 x 32 at any batch, and up to
 * 128 x 128 for batches of 3 or more. Measured on SwiftShader, thread vs the better workgroup rung, eigh /
 * svd: 1000 3x3 4 / 4 vs 897 / 595 ms; 100 16x16 24 / 36 vs 205 / 200; 10 64x64 216 / 329 vs 395 / 363;
 * 4 128x128 3657 / 2090 vs 4850 / 5484; 3 48x48 57 / 96 vs 108 / 118. A single matrix from 48 x 48 up is
 * the workgroup's (1 64x64: 75 / 98 vs 56 / 47), as are 2 64x64 for svd (117 vs 76). On GPUs, whose
 * barriers are cheap, only up to 8 x 8 (perThread's choice): a guess, not yet measured on GPU hardware.
 */
function thread(r: GpuRunner, size: number, batch: number, variant: JacobiVariant): boolean {
  if (variant !== 'auto') return variant === 'thread';
  return perThread(r, size, 'auto', 32) || (r.info.software && batch >= 3 && size <= 128);
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
  if (thread(r, n, batch, variant)) {
    const workOff = n * n;
    const scratch = r.alloc(batch * (workOff + (n * (n + 1)) / 2));
    r.dispatch({
      shader: SHADERS.linalgJacobi,
      entry: 'eigh_thread',
      params: threadParams(batch, n, n, workOff, 0),
      buffers: [x, scratch, values, vectors],
      workgroups: gridFor(batch, THREAD_WG),
    });
    r.free(scratch);
    return { values, vectors };
  }
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
  if (thread(r, rows, batch, variant)) {
    const workOff = k * k;
    const auxOff = workOff + rows * k;
    const scratch = r.alloc(batch * (auxOff + 4 * k));
    r.dispatch({
      shader: SHADERS.linalgJacobi,
      entry: 'svd_thread',
      params: threadParams(batch, m, n, workOff, auxOff),
      buffers: [x, scratch, u, s, vt],
      workgroups: gridFor(batch, THREAD_WG),
    });
    r.free(scratch);
    return { u, s, vt };
  }
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
