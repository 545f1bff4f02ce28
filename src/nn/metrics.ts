// Metrics computed on the device where they can be and read back once: accuracy, confusion matrix, R^2.
import { fmtShape, GradboxError } from '../errors';
import type { Tensor } from '../tensor';

/** Predicted classes: argmax of (batch, classes) scores, or a threshold at 0 for (batch) / (batch, 1) logits. */
export function predictClasses(scores: Tensor): Tensor {
  if (scores.rank === 2 && scores.shape[1] > 1) return scores.argmax(1);
  return scores.reshape([scores.shape[0]]).greater(0);
}

/** Fraction of examples whose predicted class equals the label. */
export async function accuracy(scores: Tensor, labels: Tensor): Promise<number> {
  const gb = scores.ctx;
  const acc = gb.tidy(() =>
    predictClasses(scores)
      .equal(labels.reshape([labels.size]))
      .mean(),
  );
  const v = await acc.item();
  acc.dispose();
  return v;
}

/** counts[i][j] = examples of true class i predicted as class j. */
export async function confusionMatrix(scores: Tensor, labels: Tensor, classes: number): Promise<number[][]> {
  const gb = scores.ctx;
  if (labels.size !== scores.shape[0]) {
    throw new GradboxError(`confusionMatrix: ${labels.size} labels for ${fmtShape(scores.shape)} scores`);
  }
  // (C, n) one-hot of the truth times (n, C) one-hot of the predictions: a matmul does the counting.
  const m = gb.tidy(() =>
    labels.reshape([labels.size]).oneHot(classes).transpose().matmul(predictClasses(scores).oneHot(classes)),
  );
  const out = (await m.toArray()) as number[][];
  m.dispose();
  return out;
}

/** Coefficient of determination: 1 - SS_res / SS_tot. */
export async function r2(pred: Tensor, target: Tensor): Promise<number> {
  const gb = pred.ctx;
  const [res, tot] = gb.tidy(() => [
    pred.sub(target).square().sum(),
    target.sub(target.mean()).square().sum(),
  ]);
  const [a, b] = [await res.item(), await tot.item()];
  res.dispose();
  tot.dispose();
  return 1 - a / b;
}
