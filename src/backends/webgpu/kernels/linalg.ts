// Plans the small dense linear algebra of shaders/linalg.wgsl: a workgroup per matrix for Cholesky and LU
// (the matrix in workgroup memory up to 64 x 64, in the output buffer beyond), or for small matrices an
// invocation per matrix (shaders/linalg_small.wgsl, no barriers); an invocation per right-hand-side
// column for triangular solves. The batch is spread over the grid with grid2d.
import type { TriangularSolveOptions } from '../../backend';
import { grid2d, gridFor } from '../grid';
import { Params } from '../params';
import type { GpuRunner, GpuStorage } from '../runner';
import { SHADERS } from '../shaders';

const WG = 64;
/** The largest n whose n x n matrix fits the shader's workgroup array (16 KiB of float32). */
export const SHARED_MAX_N = 64;

function params(batch: number, n: number, k = 0, opts?: TriangularSolveOptions) {
  return new Params().u32(
    batch,
    n,
    k,
    opts?.lower ? 1 : 0,
    opts?.transpose ? 1 : 0,
    opts?.unitDiagonal ? 1 : 0,
  );
}

const constants = (n: number) => ({ IN_SHARED: n <= SHARED_MAX_N ? 1 : 0 });

/** 'workgroup': a workgroup per matrix; 'thread': an invocation per matrix; 'auto' picks by n. */
export type LinalgVariant = 'auto' | 'workgroup' | 'thread';

/**
 * Whether 'auto' gives each matrix one invocation. Its serial steps beat a workgroup's barriers (one or
 * two per column) while n is small. On SwiftShader, where a barrier costs tens of microseconds, it
 * measured faster over the whole workgroup range, n <= `softwareMax` (Cholesky: 7 vs 3108 ms for 1000
 * 3x3, 8 vs 107 ms for 10 64x64; LU 30 vs 323 ms for 10 64x64). On GPUs, whose barriers are cheap, only
 * up to n = 8, where most of a 64-wide workgroup would idle (a choice not yet measured on GPU hardware).
 */
export function perThread(
  r: GpuRunner,
  n: number,
  variant: LinalgVariant,
  softwareMax = SHARED_MAX_N,
): boolean {
  if (variant !== 'auto') return variant === 'thread';
  return n <= (r.info.software ? softwareMax : 8);
}

export function cholesky(
  r: GpuRunner,
  x: GpuStorage,
  batch: number,
  n: number,
  variant: LinalgVariant = 'auto',
): { factor: GpuStorage; info: GpuStorage } {
  const factor = r.alloc(batch * n * n);
  const info = r.alloc(batch);
  // Empty batches and 0 x 0 matrices never reach a backend (src/linalg answers them itself).
  if (batch === 0 || n === 0) return { factor, info };
  if (perThread(r, n, variant)) {
    r.dispatch({
      shader: SHADERS.linalgSmall,
      entry: 'cholesky_thread',
      params: new Params().u32(batch, n),
      buffers: [x, factor, info],
      workgroups: gridFor(batch, WG),
    });
    return { factor, info };
  }
  r.dispatch({
    shader: SHADERS.linalg,
    entry: 'cholesky',
    constants: constants(n),
    params: params(batch, n),
    buffers: [x, factor, info],
    workgroups: grid2d(batch),
  });
  return { factor, info };
}

export function triangularSolve(
  r: GpuRunner,
  a: GpuStorage,
  b: GpuStorage,
  batch: number,
  n: number,
  k: number,
  opts: TriangularSolveOptions,
): GpuStorage {
  const out = r.alloc(batch * n * k);
  if (out.length === 0) return out;
  r.dispatch({
    shader: SHADERS.linalg,
    entry: 'triangular_solve',
    params: params(batch, n, k, opts),
    buffers: [a, b, out],
    workgroups: gridFor(batch * k, WG),
  });
  return out;
}

export function lu(
  r: GpuRunner,
  x: GpuStorage,
  batch: number,
  n: number,
  variant: LinalgVariant = 'auto',
): { lu: GpuStorage; perm: GpuStorage; sign: GpuStorage } {
  const out = r.alloc(batch * n * n);
  const perm = r.alloc(batch * n);
  const sign = r.alloc(batch);
  if (batch === 0 || n === 0) return { lu: out, perm, sign };
  if (perThread(r, n, variant)) {
    r.dispatch({
      shader: SHADERS.linalgSmall,
      entry: 'lu_thread',
      params: new Params().u32(batch, n),
      buffers: [x, out, perm, sign],
      workgroups: gridFor(batch, WG),
    });
    return { lu: out, perm, sign };
  }
  r.dispatch({
    shader: SHADERS.linalg,
    entry: 'lu',
    constants: constants(n),
    params: params(batch, n),
    buffers: [x, out, perm, sign],
    workgroups: grid2d(batch),
  });
  return { lu: out, perm, sign };
}
