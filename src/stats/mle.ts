// stats.fitMLE: maximum likelihood by gradient ascent on the device. Any differentiable log-likelihood of
// parameter tensors (a dist object's logProb of the data, or plain ops) is maximised with an optimiser
// from gradbox.optim; the steps are queued without readbacks, and one readback returns the trace.
import { describe, GradboxError } from '../errors';
import { adam, sgd } from '../optim/optimizer';
import { Tensor } from '../tensor';
import { checkInRange } from './common';

/** Options of {@link fitMLE}. */
export interface FitMLEOptions {
  /** Optimiser steps (default 500). */
  steps?: number;
  /** Learning rate (default 0.05). Adam's steps are about lr in size, whatever the data's scale. */
  lr?: number;
  /** 'adam' (default) or 'sgd' (plain gradient ascent on the mean log-likelihood). */
  optimizer?: 'adam' | 'sgd';
}

/** What {@link fitMLE} returns. */
export interface FitMLEResult {
  /** The fitted parameters: new tensors, one per initial value (the initial tensors are left alone). */
  params: Tensor[];
  /** The log-likelihood (sum of the log-probabilities) at the fitted parameters. */
  logLikelihood: number;
  /** The log-likelihood before each step (length `steps`): the ascent's path. */
  trace: number[];
}

/**
 * Maximises `logLikelihood(...params)` (a tensor of log-probabilities, summed) over the parameters by
 * gradient ascent on its mean, starting from copies of `init`. Keep parameters unconstrained (optimise
 * log sigma, not sigma).
 * @example
 * const data = gb.tensor(heights);
 * const { params: [mu, logSigma] } = await stats.fitMLE(
 *   (mu, logSigma) => new dist.Normal(gb, { mean: mu, std: logSigma.exp() }).logProb(data),
 *   [gb.tensor(160), gb.tensor(2)], { steps: 500, lr: 0.05 });
 */
export async function fitMLE(
  logLikelihood: (...params: Tensor[]) => Tensor,
  init: readonly Tensor[],
  options: FitMLEOptions = {},
): Promise<FitMLEResult> {
  const op = 'stats.fitMLE';
  if (typeof logLikelihood !== 'function') {
    throw new GradboxError(
      `${op}: logLikelihood must be a function of the parameter tensors, got ${describe(logLikelihood)}`,
    );
  }
  if (!Array.isArray(init) || init.length === 0 || !init.every((p) => p instanceof Tensor)) {
    throw new GradboxError(
      `${op}: init must be a non-empty array of parameter tensors, got ${describe(init)}`,
    );
  }
  const steps = checkInRange(op, 'steps', options.steps ?? 500, 1, 1e7, { integer: true });
  const lr = checkInRange(op, 'lr', options.lr ?? 0.05, 0, Infinity, { open: true });
  const kind = options.optimizer ?? 'adam';
  if (kind !== 'adam' && kind !== 'sgd') {
    throw new GradboxError(`${op}: optimizer must be 'adam' or 'sgd', got ${describe(kind)}`);
  }
  const gb = init[0].ctx;
  const params = init.map((p) => gb.keep(p.clone()));
  let count = 0;
  const negMean = () => {
    const ll = logLikelihood(...params);
    if (!(ll instanceof Tensor)) {
      throw new GradboxError(
        `${op}: logLikelihood must return a Tensor of log-probabilities, got ${describe(ll)}`,
      );
    }
    count = ll.size;
    return ll.mean().neg();
  };
  const opt = kind === 'adam' ? adam(gb, params, { lr }) : sgd(gb, params, { lr });
  const losses: Tensor[] = [];
  try {
    for (let s = 0; s < steps; s++) losses.push(gb.keep(gb.tidy(() => opt.step(negMean))));
    losses.push(gb.keep(gb.tidy(negMean)));
    const all = gb.tidy(() => gb.concat(losses.map((l) => l.reshape([1]))));
    const values = Array.from(await all.data(), (v) => -v * count);
    all.dispose();
    return { params, logLikelihood: values[steps], trace: values.slice(0, steps) };
  } catch (e) {
    for (const p of params) p.dispose();
    throw e;
  } finally {
    opt.dispose();
    for (const l of losses) l.dispose();
  }
}
