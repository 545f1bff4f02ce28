// The CPU twin of shaders/optim.wgsl: the same update formulas over flat typed arrays, in place.
import type { OptimizerHyper, OptimizerRule } from '../backend';
import type { CpuStorage } from './storage';

export function optimizerStep(
  rule: OptimizerRule,
  params: CpuStorage,
  grads: CpuStorage,
  m: CpuStorage,
  v: CpuStorage,
  h: OptimizerHyper,
): void {
  const P = params.data;
  const G = grads.data;
  const Mb = m.data;
  const Vb = v.data;
  for (let i = 0; i < P.length; i++) {
    const w = P[i];
    const g = rule === 'adamw' ? G[i] : G[i] + h.weightDecay * w;
    switch (rule) {
      case 'sgd':
        P[i] = w - h.lr * g;
        break;
      case 'momentum':
      case 'nesterov': {
        const buf = h.beta1 * Mb[i] + g;
        Mb[i] = buf;
        P[i] = w - h.lr * (rule === 'nesterov' ? g + h.beta1 * buf : buf);
        break;
      }
      case 'rmsprop': {
        const s = h.beta1 * Mb[i] + (1 - h.beta1) * g * g;
        Mb[i] = s;
        P[i] = w - h.lr * (g / (Math.sqrt(s) + h.eps));
        break;
      }
      default: {
        const m1 = h.beta1 * Mb[i] + (1 - h.beta1) * g;
        const v1 = h.beta2 * Vb[i] + (1 - h.beta2) * g * g;
        Mb[i] = m1;
        Vb[i] = v1;
        const update = m1 / h.correction1 / (Math.sqrt(v1 / h.correction2) + h.eps);
        P[i] = rule === 'adamw' ? w - h.lr * (update + h.weightDecay * w) : w - h.lr * update;
      }
    }
  }
}
