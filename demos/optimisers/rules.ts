// The optimisers as update rules on many runs at once: positions (N, 2), one row per run, moved together
// by tensor ops, with learning rates and betas that are numbers or per-run columns (N, 1). Gradients come
// from gradbox's autodiff of the summed loss (rows do not interact, so row i of the gradient is run i's),
// Newton's Hessian from gb.hessian. The formulas are PyTorch's, as in gradbox's optim. No DOM.
import { type Context, linalg, type Tensor } from '../../src/index';
import { gradientsAt } from '../shared/field';

export const METHODS = ['gd', 'momentum', 'nesterov', 'rmsprop', 'adam', 'newton'] as const;
export type Method = (typeof METHODS)[number];

export const METHOD_LABELS: Record<Method, string> = {
  gd: 'gradient descent',
  momentum: 'momentum',
  nesterov: 'Nesterov',
  rmsprop: 'RMSProp',
  adam: 'Adam',
  newton: 'Newton',
};

/** Step sizes: numbers, or columns (N, 1) giving each run its own. */
export interface Hyper {
  lr: number | Tensor;
  /** Momentum's and Nesterov's beta, RMSProp's decay, Adam's beta1. */
  beta: number | Tensor;
  /** Adam's beta2. */
  beta2: number;
  eps: number;
}

/** Runs in flight: positions (N, 2), the first and second moments where the method keeps them, the step count. */
export interface Runs {
  p: Tensor;
  m: Tensor | null;
  v: Tensor | null;
  t: number;
}

/** Fresh runs from positions (N, 2) (the tensor becomes the runs'). */
export function startRuns(gb: Context, p: Tensor): Runs {
  return { p, m: gb.zeros(p.shape), v: gb.zeros(p.shape), t: 0 };
}

export function disposeRuns(r: Runs): void {
  for (const t of [r.p, r.m, r.v]) t?.dispose();
}

/**
 * One step of `method` for every run; returns new runs (the old ones are the caller's to dispose).
 * Newton's method moves each run by H^-1 g with the Hessian of that run's loss (one run at a time:
 * the race has one, and a batch would need a Hessian per row).
 */
export function step(gb: Context, method: Method, f: (p: Tensor) => Tensor, r: Runs, h: Hyper): Runs {
  return gb.tidy(() => {
    const t = r.t + 1;
    if (method === 'newton') return { p: newtonStep(gb, f, r.p, h.lr), m: null, v: null, t };
    const g = gradientsAt(gb, f, r.p);
    const one = (b: number | Tensor) => (typeof b === 'number' ? 1 - b : b.neg().add(1));
    switch (method) {
      case 'gd':
        return { p: r.p.sub(g.mul(h.lr)), m: null, v: null, t };
      case 'momentum':
      case 'nesterov': {
        const buf = r.m!.mul(h.beta).add(g);
        const dir = method === 'nesterov' ? g.add(buf.mul(h.beta)) : buf;
        return { p: r.p.sub(dir.mul(h.lr)), m: buf, v: null, t };
      }
      case 'rmsprop': {
        const sq = r.m!.mul(h.beta).add(g.square().mul(one(h.beta)));
        return { p: r.p.sub(g.div(sq.sqrt().add(h.eps)).mul(h.lr)), m: sq, v: null, t };
      }
      case 'adam': {
        if (typeof h.beta !== 'number') throw new Error('adam: one beta1 for all runs');
        const m = r.m!.mul(h.beta).add(g.mul(1 - h.beta));
        const v = r.v!.mul(h.beta2).add(g.square().mul(1 - h.beta2));
        const mHat = m.div(1 - h.beta ** t);
        const vHat = v.div(1 - h.beta2 ** t);
        return { p: r.p.sub(mHat.div(vHat.sqrt().add(h.eps)).mul(h.lr)), m, v, t };
      }
    }
  });
}

/** p - lr H^-1 g for one run, p (1, 2); H from gb.hessian, the system solved by linalg.solve. */
function newtonStep(gb: Context, f: (p: Tensor) => Tensor, p: Tensor, lr: number | Tensor): Tensor {
  if (p.shape[0] !== 1) throw new Error(`newton: one run at a time, got ${p.shape[0]}`);
  const loss = (q: Tensor) => f(q.reshape([1, 2])).sum();
  const q = p.reshape([2]);
  const g = gb.grad(loss)(q)[0];
  const H = gb.hessian(loss)(q);
  return p.sub(linalg.solve(H, g).reshape([1, 2]).mul(lr));
}
