// Information measures in nats along the last axis: entropy, cross-entropy, KL divergence, and the mutual
// information of a joint table. Terms with p = 0 count as 0 (0 log 0 = 0) and are masked before the log,
// so gradients stay finite there; the inputs are used as given (not renormalised, unlike SciPy's entropy).
import { scoped } from '../autodiff';
import { fmtShape, GradboxError } from '../errors';
import type { Tensor } from '../tensor';
import { checkTensor, sameContext } from './common';

function distributions(op: string, name: string, p: unknown, rank = 1): Tensor {
  const t = checkTensor(op, name, p);
  if (t.shape.length < rank) {
    const want = rank === 1 ? '(..., k): probabilities along the last axis' : '(..., a, b): a joint table';
    throw new GradboxError(`${op}: ${name} must be ${want}, got ${fmtShape(t.shape)}`);
  }
  return t;
}

/** sum over the last axis of p * f(masked q), with every term where p == 0 taken as exactly 0. */
function sumWhereP(p: Tensor, q: Tensor, f: (p: Tensor, q: Tensor) => Tensor): Tensor {
  const zero = p.equal(0);
  // Ones where p is 0 keep log() finite there, so the masked branch gives no NaN to the gradient.
  const terms = f(zero.where(1, p), zero.where(1, q));
  return zero.where(0, p.mul(terms)).sum(-1);
}

/**
 * Shannon entropy in nats along the last axis: -sum p log p, with 0 log 0 = 0. p (..., k) -> (...).
 * p should sum to 1 (it is not renormalised); a negative p gives NaN. Differentiable (gradient
 * -(log p + 1), taken as 0 where p = 0).
 */
export function entropy(p: Tensor): Tensor {
  const t = distributions('stats.entropy', 'p', p);
  return scoped(t.ctx, () => sumWhereP(t, t, (ps) => ps.log()).neg());
}

/**
 * Cross-entropy in nats along the last axis: -sum p log q; terms with p = 0 are 0, and q = 0 where p > 0
 * gives Infinity. p and q broadcast; -> their shape without the last axis. Differentiable.
 */
export function crossEntropy(p: Tensor, q: Tensor): Tensor {
  const op = 'stats.crossEntropy';
  const a = distributions(op, 'p', p);
  const b = distributions(op, 'q', q);
  sameContext(op, a, b);
  return scoped(a.ctx, () => sumWhereP(a, b, (_, qs) => qs.log()).neg());
}

/**
 * Kullback-Leibler divergence KL(p || q) in nats along the last axis: sum p log(p / q); terms with p = 0
 * are 0, and q = 0 where p > 0 gives Infinity. p and q broadcast. Differentiable in both.
 */
export function klDivergence(p: Tensor, q: Tensor): Tensor {
  const op = 'stats.klDivergence';
  const a = distributions(op, 'p', p);
  const b = distributions(op, 'q', q);
  sameContext(op, a, b);
  return scoped(a.ctx, () => sumWhereP(a, b, (ps, qs) => ps.log().sub(qs.log())));
}

/**
 * Mutual information in nats of two discrete variables from their joint probabilities P (..., a, b)
 * (summing to 1 over the last two axes): KL(P || P_x P_y) with the marginals summed from P. -> (...).
 * Differentiable.
 */
export function mutualInformation(joint: Tensor): Tensor {
  const t = distributions('stats.mutualInformation', 'joint', joint, 2);
  return scoped(t.ctx, () => {
    const r = t.shape.length;
    const [a, b] = t.shape.slice(r - 2);
    const independent = t.sum(-1, true).mul(t.sum(-2, true)); // P_x P_y, (..., a, b)
    const flat = [...t.shape.slice(0, r - 2), a * b];
    return sumWhereP(t.reshape(flat), independent.reshape(flat), (ps, qs) => ps.log().sub(qs.log()));
  });
}
