// Plans the fused optimiser step (shaders/optim.wgsl): one dispatch over the flat parameter buffer.
import { OPTIMIZER_RULES, type OptimizerHyper, type OptimizerRule } from '../../backend';
import { gridFor } from '../grid';
import { Params } from '../params';
import type { GpuRunner, GpuStorage } from '../runner';
import { SHADERS } from '../shaders';

export function optimizerStep(
  r: GpuRunner,
  rule: OptimizerRule,
  params: GpuStorage,
  grads: GpuStorage,
  m: GpuStorage,
  v: GpuStorage,
  h: OptimizerHyper,
): void {
  const n = params.length;
  if (n === 0) return;
  r.dispatch({
    shader: SHADERS.optim,
    entry: 'step',
    constants: { RULE: OPTIMIZER_RULES.indexOf(rule) },
    params: new Params()
      .u32(n)
      .f32(h.lr, h.weightDecay, h.beta1, h.beta2, h.eps, h.correction1, h.correction2),
    buffers: [grads, params, m, v],
    workgroups: gridFor(n, 256),
  });
}
