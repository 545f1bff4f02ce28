// Plans the panel kernel of the blocked LU (shaders/linalg_blocked.wgsl): one workgroup per tall panel.
import { grid2d } from '../grid';
import { Params } from '../params';
import type { GpuRunner, GpuStorage } from '../runner';
import { SHADERS } from '../shaders';

/** P A = L U of `batch` contiguous m x b panels: packed L\U (batch, m, b), perm (batch, m), sign (batch). */
export function luPanel(
  r: GpuRunner,
  x: GpuStorage,
  batch: number,
  m: number,
  b: number,
): { lu: GpuStorage; perm: GpuStorage; sign: GpuStorage } {
  const lu = r.alloc(batch * m * b);
  const perm = r.alloc(batch * m);
  const sign = r.alloc(batch);
  if (batch * m * b === 0) return { lu, perm, sign };
  r.dispatch({
    shader: SHADERS.linalgBlocked,
    entry: 'lu_panel',
    params: new Params().u32(batch, m, b),
    buffers: [x, lu, perm, sign],
    workgroups: grid2d(batch),
  });
  return { lu, perm, sign };
}
