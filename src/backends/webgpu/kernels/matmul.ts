// Plans batched matmul dispatches (shaders/matmul.wgsl) and picks the rung of the ladder to run.
import { GradboxError } from '../../../errors';
import type { MatmulPlan } from '../../backend';
import { Params } from '../params';
import type { GpuRunner, GpuStorage } from '../runner';
import { SHADERS } from '../shaders';

export type MatmulVariant = 'auto' | 'naive' | 'blocked' | 'tiled' | 'tiled_vec4';

/** True when every load of A and B can be a vec4 (see matmul_tiled_vec4's requirements). */
export function vec4Ok(p: MatmulPlan): boolean {
  const m4 = (v: number) => v % 4 === 0;
  return (
    p.a.col === 1 &&
    p.b.col === 1 &&
    m4(p.K) &&
    m4(p.N) &&
    m4(p.a.row) &&
    m4(p.b.row) &&
    m4(p.a.batch) &&
    m4(p.b.batch)
  );
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

export function matmul(
  r: GpuRunner,
  a: GpuStorage,
  b: GpuStorage,
  p: MatmulPlan,
  variant: MatmulVariant = 'auto',
): GpuStorage {
  const out = r.alloc(p.batch * p.M * p.N);
  if (out.length === 0) return out;
  if (p.K === 0) {
    // An empty sum: C is all zeros. The kernels would skip their K loop and write zeros too, but saying it is clearer.
    r.dispatch({
      shader: SHADERS.layout,
      entry: 'fill',
      params: new Params().u32(out.length, 0, 0, 0, 0).f32(0),
      buffers: [out],
      workgroups: [Math.ceil(out.length / 256)],
    });
    return out;
  }
  const entry = variant === 'auto' ? autoEntry(r, p) : `matmul_${variant}`;
  if (entry === 'matmul_tiled_vec4' && !vec4Ok(p)) {
    throw new GradboxError('matmul: the tiled_vec4 kernel needs K, N and all strides to be multiples of 4');
  }
  const tile = entry === 'matmul_naive' ? 16 : entry === 'matmul_blocked' ? 32 : 64;
  if (p.batch > r.limits.maxComputeWorkgroupsPerDimension) {
    throw new GradboxError(
      `matmul: a batch of ${p.batch} matrices exceeds this device's maxComputeWorkgroupsPerDimension ` +
        `(${r.limits.maxComputeWorkgroupsPerDimension}); split the batch.`,
    );
  }
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
    ),
    buffers: [a, b, out],
    workgroups: [Math.ceil(p.N / tile), Math.ceil(p.M / tile), p.batch],
  });
  return out;
}
