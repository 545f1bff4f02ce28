// Plans batched matmul dispatches (shaders/matmul.wgsl) and picks the rung of the ladder to run.
// Any batch size fits: the workgroups of all output tiles are spread over the three grid dimensions.
import { GradboxError } from '../../../errors';
import type { MatmulPlan } from '../../backend';
import { Params } from '../params';
import type { GpuRunner, GpuStorage } from '../runner';
import { SHADERS } from '../shaders';
import { fill } from './layout';

export type MatmulVariant = 'auto' | 'naive' | 'blocked' | 'tiled' | 'tiled_vec4';

/**
 * Whether one operand can be loaded as vec4s along its contiguous axis. The operand is seen as (outer, k):
 * (m, k) for A, (n, k) for B. The kernel takes k as contiguous when its stride is the smaller (as the
 * shader's `a_kc`/`b_kc` do); that axis needs stride 1, and its extent and the other strides multiples of 4.
 */
function vec4Operand(outerStride: number, kStride: number, batchStride: number, outer: number, K: number) {
  const m4 = (v: number) => v % 4 === 0;
  if (!m4(batchStride)) return false;
  if (kStride < outerStride) return kStride === 1 && m4(K) && m4(outerStride);
  return outerStride === 1 && m4(outer) && m4(kStride);
}

/**
 * True when every load of A and B can be a vec4 (matmul_tiled_vec4's requirement): A as stored needs K,
 * A transposed M, B as stored N, B transposed K to be multiples of 4, and the strides likewise.
 */
export function vec4Ok(p: MatmulPlan): boolean {
  return (
    vec4Operand(p.a.row, p.a.col, p.a.batch, p.M, p.K) && vec4Operand(p.b.col, p.b.row, p.b.batch, p.N, p.K)
  );
}

/**
 * A grid (x, y, z) of at least `count` workgroups with every dimension at most `maxPerDim`, wasting fewer
 * than y * z workgroups (the kernels let the extra ones exit). Throws when even maxPerDim^3 is too few.
 */
export function gridFor(count: number, maxPerDim: number, what: string): [number, number, number] {
  const z = Math.ceil(count / maxPerDim ** 2);
  if (z > maxPerDim) {
    throw new GradboxError(
      `${what}: ${count} workgroups exceed this device's grid of ${maxPerDim}^3 ` +
        '(maxComputeWorkgroupsPerDimension in each dimension); split the product into smaller ones.',
    );
  }
  const perZ = Math.ceil(count / z);
  const y = Math.ceil(perZ / maxPerDim);
  return [Math.ceil(perZ / y), y, z];
}

/**
 * The rung 'auto' runs. Software adapters (SwiftShader, llvmpipe) run workgroups as CPU threads, where
 * every barrier is expensive: there the barrier-free blocked kernel measured 5-7x faster than the tiled
 * ones (npm run bench:matmul). Real GPUs get the tiled kernels, vectorised where shapes allow.
 */
function autoEntry(r: GpuRunner, p: MatmulPlan): string {
  if (r.info.software) return 'matmul_blocked';
  return vec4Ok(p) ? 'matmul_tiled_vec4' : 'matmul_tiled';
}

/** Output tile edge of each entry point: its workgroup size times the outputs per invocation. */
const TILE_EDGE: Record<string, number> = {
  matmul_naive: 16,
  matmul_blocked: 32,
  matmul_tiled: 64,
  matmul_tiled_vec4: 64,
};

export function matmul(
  r: GpuRunner,
  a: GpuStorage,
  b: GpuStorage,
  p: MatmulPlan,
  variant: MatmulVariant = 'auto',
): GpuStorage {
  const entry = variant === 'auto' ? autoEntry(r, p) : `matmul_${variant}`;
  const tile = TILE_EDGE[entry];
  if (tile === undefined) {
    throw new GradboxError(
      `matmul: unknown kernel variant '${variant}'; expected one of auto, naive, blocked, tiled, tiled_vec4`,
    );
  }
  // Checked before anything is allocated, so a refused plan leaks nothing.
  if (entry === 'matmul_tiled_vec4' && !vec4Ok(p)) {
    throw new GradboxError(
      `matmul: the tiled_vec4 kernel cannot load this plan as vec4s: M=${p.M} K=${p.K} N=${p.N}, ` +
        `A strides ${JSON.stringify(p.a)}, B strides ${JSON.stringify(p.b)}; each operand needs its contiguous ` +
        'axis at stride 1 and that axis\'s length and its other strides multiples of 4. Use variant "tiled" or "auto".',
    );
  }
  if (p.batch * p.M * p.N === 0) return r.alloc(0);
  // An empty sum: C is all zeros (the kernels would write zeros too, but saying it is clearer).
  if (p.K === 0) return fill(r, 0, p.batch * p.M * p.N);
  const tilesN = Math.ceil(p.N / tile);
  const tilesM = Math.ceil(p.M / tile);
  const workgroups = gridFor(tilesN * tilesM * p.batch, r.limits.maxComputeWorkgroupsPerDimension, entry);
  const out = r.alloc(p.batch * p.M * p.N);
  r.dispatch({
    shader: SHADERS.matmul,
    entry,
    params: new Params().u32(
      p.M,
      p.K,
      p.N,
      p.batch,
      p.a.batch,
      p.a.row,
      p.a.col,
      p.b.batch,
      p.b.row,
      p.b.col,
      tilesN,
      tilesM,
    ),
    buffers: [a, b, out],
    workgroups,
  });
  return out;
}
