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
 * Binary cross-entropy on logits z for targets y in {0, 1} (or probabilities): softplus(z) - z y, averaged.
 * softplus is computed stably and differentiated as one op (derivative sigmoid(z)), so the gradient is
 * sigmoid(z) - y everywhere, also at z = 0 where a relu/abs composition would meet two kinks.
 */
export function bceWithLogits(logits: Tensor, target: Tensor): Tensor {
  sameBatch('bceWithLogits', logits, target);
  return logits.softplus().sub(logits.mul(target)).mean();
}

/**
 * Softmax cross-entropy on logits (batch, classes) for integer labels (batch) or one-hot / probability
 * targets (batch, classes): mean over the batch of -sum(target * logSoftmax(logits)).
 * An integer label outside [0, classes) (or not an integer) makes the loss NaN rather than a finite, wrong
 * number; the Trainer names the step where that happens. Checking labels on the host would need a readback.
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
  const nll = target.mul(logits.logSoftmax(1)).sum(1).neg();
  if (labels.rank !== 1) return nll.mean();
  // A valid label has a one-hot row summing to 1; an invalid one has a row of zeros, and 0/0 is NaN.
  return nll.div(target.sum(1)).mean();
}

/** Sum of absolute values of the tensors (an L1 penalty). */
export function l1(tensors: readonly Tensor[]): Tensor {
  return tensors.map((t) => t.abs().sum()).reduce((a, b) => a.add(b));
}

/** Sum of squares of the tensors (an L2 penalty). */
export function l2(tensors: readonly Tensor[]): Tensor {
  return tensors.map((t) => t.square().sum()).reduce((a, b) => a.add(b));
}
