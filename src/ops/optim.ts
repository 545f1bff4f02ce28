// In-place ops for optimisers: packing parameters into one flat buffer (so one fused dispatch updates
// them all), writing tensors into parts of another, and the fused update itself. Not differentiable.
import type { OptimizerHyper, OptimizerRule } from '../backends/backend';
import type { Context } from '../context';
import { fmtShape, GradboxError } from '../errors';
import type { Tensor } from '../tensor';
import { storageOf } from './inputs';

/** Segments start on 64-element (256-byte) boundaries: WebGPU's storage binding offset alignment. */
export const SEGMENT_ALIGN = 64;

/** Where each parameter lives inside the flat buffer. */
export interface FlatLayout {
  offsets: number[];
  sizes: number[];
  total: number;
}

export function flatLayout(tensors: readonly Tensor[]): FlatLayout {
  const offsets: number[] = [];
  let total = 0;
  for (const t of tensors) {
    offsets.push(total);
    total += Math.ceil(t.size / SEGMENT_ALIGN) * SEGMENT_ALIGN;
  }
  return { offsets, sizes: tensors.map((t) => t.size), total };
}

/**
 * Moves the parameters into one zero-padded flat tensor: each parameter keeps its identity and shape but
 * becomes a view into the flat storage, so updating the flat tensor updates every parameter.
 */
export function packParameters(
  ctx: Context,
  params: readonly Tensor[],
): { flat: Tensor; layout: FlatLayout } {
  const op = 'optimizer';
  params.forEach((p) => storageOf(op, ctx, p));
  const layout = flatLayout(params);
  const flat = ctx.zeros([layout.total]);
  params.forEach((p, i) => {
    writeAt(flat, layout.offsets[i], p);
    ctx.registry.rehome(p, flat, layout.offsets[i]);
  });
  return { flat, layout };
}

/** Copies all of `src` into `dst` (flat) starting at element `at`, in place. */
export function writeAt(dst: Tensor, at: number, src: Tensor): void {
  const ctx = dst.ctx;
  if (at < 0 || at + src.size > dst.size) {
    throw new GradboxError(`writeAt: ${src.size} elements at ${at} do not fit in ${fmtShape(dst.shape)}`);
  }
  ctx.engine.copyInto(storageOf('writeAt', ctx, dst), at, storageOf('writeAt', ctx, src));
}

/** One fused optimiser update of the flat parameters (and moments m, v) from flat gradients, in place. */
export function fusedUpdate(
  rule: OptimizerRule,
  params: Tensor,
  grads: Tensor,
  m: Tensor,
  v: Tensor,
  hyper: OptimizerHyper,
): void {
  const ctx = params.ctx;
  const s = (t: Tensor) => storageOf(rule, ctx, t);
  ctx.engine.optimizerStep(rule, s(params), s(grads), s(m), s(v), hyper);
}

/** Copies src's values into dst (same shape) in place. */
export function assign(dst: Tensor, src: Tensor): void {
  if (dst.shape.join() !== src.shape.join()) {
    throw new GradboxError(
      `assign: shapes differ: ${fmtShape(dst.shape)} <- ${fmtShape(src.shape)}; they must be equal`,
    );
  }
  writeAt(dst, 0, src);
}
