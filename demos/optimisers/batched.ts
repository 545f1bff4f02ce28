// Thousands of optimisation runs as one batched computation: a learning-rate sweep of gradient descent,
// the momentum phase diagram (learning rate x beta) and basins of attraction (a grid of starts). Each is
// a (N, 2) tensor of positions moved by the rules in rules.ts, read back once at the end. No DOM.
import { type Context, type Tensor } from '../../src/index';
import { gradientsAt, gridPoints, type Range } from '../shared/field';
import { disposeRuns, type Method, type Runs, startRuns, step } from './rules';

/** n values from lo to hi, evenly spaced in log10. */
export function logSpace(lo: number, hi: number, n: number): number[] {
  const [a, b] = [Math.log10(lo), Math.log10(hi)];
  return Array.from({ length: n }, (_, i) => 10 ** (a + ((b - a) * i) / (n - 1)));
}

/**
 * Runs `method` from `start` with one (learning rate, beta) pair per run, all at once, for `steps` steps;
 * returns each run's final loss and the wall time including the readback. Work is submitted every step
 * so that the GPU's buffer pool can reuse the last step's buffers.
 */
export async function runBatch(
  gb: Context,
  f: (p: Tensor) => Tensor,
  method: Method,
  start: [number, number],
  lrs: readonly number[],
  betas: readonly number[] | number,
  steps: number,
): Promise<{ finalLoss: Float32Array; ms: number }> {
  const t0 = performance.now();
  const n = lrs.length;
  const lr = gb.tensor(lrs, [n, 1]);
  const beta = typeof betas === 'number' ? betas : gb.tensor(betas, [n, 1]);
  let runs: Runs = startRuns(
    gb,
    gb.tidy(() => gb.tensor([start]).broadcastTo([n, 2]).clone()),
  );
  try {
    for (let t = 0; t < steps; t++) {
      const next = step(gb, method, f, runs, { lr, beta, beta2: 0.999, eps: 1e-8 });
      disposeRuns(runs);
      runs = next;
      gb.flush();
    }
    const loss = gb.tidy(() => f(runs.p));
    const finalLoss = await loss.data();
    loss.dispose();
    return { finalLoss, ms: performance.now() - t0 };
  } finally {
    disposeRuns(runs);
    lr.dispose();
    if (typeof beta !== 'number') beta.dispose();
  }
}

/**
 * The divergence threshold a sweep measured: the smallest learning rate (ascending `lrs`) whose run ended
 * above its starting loss or not finite; NaN when no run diverged.
 */
export function divergenceThreshold(
  lrs: readonly number[],
  finalLoss: ArrayLike<number>,
  f0: number,
): number {
  for (let i = 0; i < lrs.length; i++) {
    if (!(finalLoss[i] <= f0)) return lrs[i];
  }
  return Number.NaN;
}

/** Where each start of a grid ended and how many steps it took to get there. */
export interface Basins {
  /** Final positions, (N, 2) flattened. */
  end: Float32Array;
  /** Steps each run took until its gradient norm fell below the tolerance (the limit if it never did). */
  steps: Float32Array;
  ms: number;
}

/**
 * Gradient descent from every point of a side x side grid over `range` at once (row 0 at the top, the
 * largest y). A run stops moving once its gradient norm is below `tol`; `steps` counts the steps before.
 * `onProgress` is called between chunks of steps (to draw, or to yield to the page).
 */
export async function basins(
  gb: Context,
  f: (p: Tensor) => Tensor,
  range: Range,
  side: number,
  lr: number,
  maxSteps: number,
  tol: number,
  onProgress?: (done: number) => Promise<void>,
): Promise<Basins> {
  const t0 = performance.now();
  let p = gb.tensor(gridPoints(range, side), [side * side, 2]);
  let count = gb.zeros([side * side, 1]);
  try {
    for (let t = 0; t < maxSteps; t++) {
      const [np, nc] = gb.tidy(() => {
        const g = gradientsAt(gb, f, p);
        // moving: 1 while the gradient is still large, 0 once converged (then the run stays put).
        const moving = g
          .square()
          .sum(1, true)
          .greaterEqual(tol * tol);
        return [p.sub(g.mul(moving).mul(lr)), count.add(moving)];
      });
      p.dispose();
      count.dispose();
      [p, count] = [np, nc];
      gb.flush();
      if (onProgress && (t + 1) % 25 === 0) await onProgress(t + 1);
    }
    const [end, steps] = await Promise.all([p.data(), count.data()]);
    return { end, steps, ms: performance.now() - t0 };
  } finally {
    p.dispose();
    count.dispose();
  }
}
