// Loss functions and penalties, built from public ops, numerically stable where it matters.
import { fmtShape, GradboxError } from '../errors';
import type { Tensor } from '../tensor';

function sameBatch(op: string, a: Tensor, b: Tensor): void {
  if (a.shape[0] !== b.shape[0]) {
    throw new GradboxError(
      `${op}: batch sizes differ: predictions ${fmtShape(a.shape)} and targets ${fmtShape(b.shape)}; ` +
        'both need one row per example',
    );
  }
}

/** Mean squared error, averaged over every element. */
export function mse(pred: Tensor, target: Tensor): Tensor {
  sameBatch('mse', pred, target);
  return pred.sub(target).square().mean();
}

/**
 * Binary cross-entropy on logits z for targets y in {0, 1} (or probabilities), in the stable form
 * max(z, 0) - z y + log(1 + exp(-|z|)), averaged.
 */
export function bceWithLogits(logits: Tensor, target: Tensor): Tensor {
  sameBatch('bceWithLogits', logits, target);
  return logits.relu().sub(logits.mul(target)).add(logits.abs().neg().exp().add(1).log()).mean();
}

/**
 * Softmax cross-entropy on logits (batch, classes) for integer labels (batch) or one-hot / probability
 * targets (batch, classes): mean over the batch of -sum(target * logSoftmax(logits)).
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  const op = 'softmaxCrossEntropy';
  if (logits.rank !== 2)
    throw new GradboxError(`${op}: logits must be (batch, classes), got ${fmtShape(logits.shape)}`);
  sameBatch(op, logits, labels);
  const classes = logits.shape[1];
  const target = labels.rank === 1 ? labels.oneHot(classes) : labels;
  if (target.shape[1] !== classes) {
    throw new GradboxError(
      `${op}: targets ${fmtShape(labels.shape)} do not match ${classes} classes of the logits`,
    );
  }
  return target.mul(logits.logSoftmax(1)).sum(1).mean().neg();
}

/** Sum of absolute values of the tensors (an L1 penalty). */
export function l1(tensors: readonly Tensor[]): Tensor {
  return tensors.map((t) => t.abs().sum()).reduce((a, b) => a.add(b));
}

/** Sum of squares of the tensors (an L2 penalty). */
export function l2(tensors: readonly Tensor[]): Tensor {
  return tensors.map((t) => t.square().sum()).reduce((a, b) => a.add(b));
}
