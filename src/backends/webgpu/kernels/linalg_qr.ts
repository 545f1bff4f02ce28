// Plans Householder QR (shaders/linalg_qr.wgsl): a small matrix is factored by one invocation ('thread');
// one of up to 4096 elements by one workgroup in workgroup memory ('small'); a larger one column by
// column, two dispatches per column over the whole batch (the reflector, then its application to the
// later columns). Either way one more dispatch writes R and builds Q, an invocation per column. Also the
// panel step of the blocked QR (src/linalg/blocked_qr.ts), a workgroup per tall panel.
import { GradboxError } from '../../../errors';
import { qrPanelRefusal } from '../../backend';
import { grid2d, gridFor } from '../grid';
import { perThread } from './linalg';
import { Params } from '../params';
import type { GpuRunner, GpuStorage } from '../runner';
import { SHADERS } from '../shaders';

const WG = 64;
/** The most elements an m x n matrix may have to be factored in workgroup memory (16 KiB of float32). */
export const QR_SHARED_MAX = 4096;

/**
 * 'auto' picks by size; 'thread' (an invocation per matrix), 'small' (a workgroup per matrix in workgroup
 * memory, m * n <= 4096) and 'columns' can be pinned by tests and benchmarks.
 */
export type QrVariant = 'auto' | 'thread' | 'small' | 'columns';

const params = (batch: number, m: number, n: number, j = 0) =>
  new Params().u32(batch, m, n, Math.min(m, n), j);

/** Q (batch, m, k) and R (batch, k, n), k = min(m, n), of `batch` contiguous m x n matrices, m, n >= 1. */
export function qr(
  r: GpuRunner,
  x: GpuStorage,
  batch: number,
  m: number,
  n: number,
  variant: QrVariant = 'auto',
): { q: GpuStorage; r: GpuStorage } {
  const k = Math.min(m, n);
  // On SwiftShader one invocation measured faster up to 32 x 32 (100 of them: 351 vs 547 ms), the
  // workgroup from 64 x 64 (10 of them: 167 vs 339 ms).
  const thread = variant === 'thread' || (variant === 'auto' && perThread(r, Math.max(m, n), 'auto', 32));
  const small = variant === 'small' || (variant === 'auto' && !thread && m * n <= QR_SHARED_MAX);
  if (small && m * n > QR_SHARED_MAX) {
    throw new GradboxError(
      `linalg.qr: the 'small' kernel holds at most ${QR_SHARED_MAX} elements, got ${m} x ${n}; use 'auto'`,
    );
  }
  const work = r.alloc(batch * m * n);
  const tau = r.alloc(batch * k);
  if (thread) {
    r.dispatch({
      shader: SHADERS.linalgQr,
      entry: 'qr_thread',
      params: params(batch, m, n),
      buffers: [x, work, tau],
      workgroups: gridFor(batch, WG),
    });
  } else if (small) {
    r.dispatch({
      shader: SHADERS.linalgQr,
      entry: 'qr_small',
      params: params(batch, m, n),
      buffers: [x, work, tau],
      workgroups: grid2d(batch),
    });
  } else {
    r.copy(x, work, 0);
    for (let j = 0; j < k; j++) {
      r.dispatch({
        shader: SHADERS.linalgQr,
        entry: 'qr_house',
        params: params(batch, m, n, j),
        buffers: [work, tau],
        workgroups: grid2d(batch),
      });
      if (j + 1 < n) {
        r.dispatch({
          shader: SHADERS.linalgQr,
          entry: 'qr_apply',
          params: params(batch, m, n, j),
          buffers: [work, tau],
          workgroups: gridFor(batch * (n - j - 1), WG),
        });
      }
    }
  }
  const q = r.alloc(batch * m * k);
  const rOut = r.alloc(batch * k * n);
  r.dispatch({
    shader: SHADERS.linalgQr,
    entry: 'qr_finish',
    params: params(batch, m, n),
    buffers: [work, tau, q, rOut],
    workgroups: gridFor(batch * n, WG),
  });
  r.free(work);
  r.free(tau);
  return { q, r: rOut };
}

/**
 * The blocked QR's panel step (see Backend.qrPanel) for `batch` contiguous m x b panels: V (batch, m, b),
 * T (batch, b, b), R (batch, b, b). One workgroup per panel.
 */
export function qrPanel(
  r: GpuRunner,
  x: GpuStorage,
  batch: number,
  m: number,
  b: number,
): { v: GpuStorage; t: GpuStorage; r: GpuStorage } {
  const refusal = qrPanelRefusal(m, b);
  if (refusal) throw new GradboxError(refusal);
  const v = r.alloc(batch * m * b);
  const t = r.alloc(batch * b * b);
  const rOut = r.alloc(batch * b * b);
  if (batch === 0) return { v, t, r: rOut };
  r.dispatch({
    shader: SHADERS.linalgQr,
    entry: 'qr_panel',
    params: params(batch, m, b),
    buffers: [x, v, t, rOut],
    workgroups: grid2d(batch),
  });
  return { v, t, r: rOut };
}
