// Power iteration x <- A x / |A x| for the dominant eigenvector, with its Rayleigh quotient, written with
// recorded tensor ops batched over leading axes. A call runs a given number of steps from a given or
// seeded start and returns the state, so a demo can step it one click at a time by passing it back in.
import { describe, fmtShape, GradboxError } from '../errors';
import { storageOf } from '../ops/inputs';
import type { Tensor } from '../tensor';
import { drop, squareMatrices } from './common';

/** Options of {@link powerIteration}. */
export interface PowerIterationOptions {
  /** How many multiplications by A (default 100); 0 returns the normalised start and its quotient. */
  steps?: number;
  /**
   * Seed of the random start vector (normal entries from the library's Philox generator, the same on
   * every backend); without it the context's random stream is used. Not together with `start`.
   */
  seed?: number;
  /** The start vector instead of a random one: (..., n) like the result's `vector`, or (n) for all. */
  start?: Tensor;
  /** Also return every iterate (default false). */
  history?: boolean;
}

/** What {@link powerIteration} returns. */
export interface PowerIterationResult {
  /** The last iterate x (..., n), of unit length: the dominant eigenvector's direction once converged. */
  vector: Tensor;
  /** Its Rayleigh quotient x^T A x (...): the dominant eigenvalue once converged. */
  value: Tensor;
  /** |A x - value x| (...): 0 for an exact eigenvector, so it says how far the iteration has come. */
  residual: Tensor;
  /**
   * With `history: true`: the start and every iterate, `vectors` (steps + 1, ..., n), and their Rayleigh
   * quotients, `values` (steps + 1, ...).
   */
  history?: { vectors: Tensor; values: Tensor };
}

/**
 * Dominant eigenvector and eigenvalue of square A (..., n, n) by power iteration: from a start x_0 (random
 * unless given), x_{t+1} = A x_t / |A x_t| for `steps` steps. The iterate turns towards the eigenvector
 * of the eigenvalue of largest modulus at the rate |lambda_2 / lambda_1| per step; with a negative
 * dominant eigenvalue its sign alternates; with two of equal modulus (a rotation) it does not converge.
 * If A x is exactly 0, x is an eigenvector for 0 and is kept.
 *
 * Stepping: `let s = powerIteration(A, { steps: 0, seed: 1 })`, then for each click
 * `s = powerIteration(A, { steps: 1, start: s.vector })`. The same seed gives the same start on every
 * backend. PageRank is this iteration on the link matrix (normalise the result to sum 1).
 * Differentiable through its ops (matmul, norm, division).
 */
export function powerIteration(a: Tensor, options: PowerIterationOptions = {}): PowerIterationResult {
  const op = 'linalg.powerIteration';
  const { batchShape, n } = squareMatrices(op, a);
  if (typeof options !== 'object' || options === null) {
    throw new GradboxError(
      `${op}: options must be an object like { steps: 50, seed: 1 }, got ${describe(options)}`,
    );
  }
  const { steps = 100, seed, start, history = false } = options;
  if (typeof steps !== 'number' || !Number.isSafeInteger(steps) || steps < 0) {
    throw new GradboxError(`${op}: steps must be an integer >= 0, got ${describe(steps)}`);
  }
  if (typeof history !== 'boolean') {
    throw new GradboxError(`${op}: history must be true or false, got ${describe(history)}`);
  }
  if (start !== undefined && seed !== undefined) {
    throw new GradboxError(`${op}: give a start vector or a seed for a random one, not both`);
  }
  const ctx = a.ctx;
  const temps: Tensor[] = [];
  const t = (x: Tensor) => {
    temps.push(x);
    return x;
  };
  let x0: Tensor; // (..., n, 1)
  if (start !== undefined) {
    storageOf(op, ctx, start);
    const ok =
      (start.shape.length === 1 && start.shape[0] === n) || start.shape.join() === [...batchShape, n].join();
    if (!ok) {
      throw new GradboxError(
        `${op}: start must be a vector of length n = ${n} or a batch of them ${fmtShape([...batchShape, n])} ` +
          `to match A ${fmtShape(a.shape)}, got ${fmtShape(start.shape)}`,
      );
    }
    x0 = t(t(start.reshape([...start.shape, 1])).broadcastTo([...batchShape, n, 1]));
  } else {
    x0 = t(ctx.randn([...batchShape, n, 1], seed === undefined ? {} : { seed }));
  }
  const axis = batchShape.length; // the n axis of (..., n, 1)
  const norm = (y: Tensor) => t(t(t(y.square()).sum(axis, true)).sqrt()); // (..., 1, 1)
  // y / |y|, or `fallback` where y = 0: a zero start stays zero, and where A x = 0, x is kept.
  const unit = (y: Tensor, fallback: Tensor) => {
    const len = norm(y);
    const positive = t(len.greater(0));
    return t(positive.where(t(y.div(t(positive.where(len, 1)))), fallback));
  };
  let x = unit(x0, x0);
  const rayleigh = (v: Tensor, av: Tensor) => t(t(v.mul(av)).sum([axis, axis + 1])); // (...)
  const vectors: Tensor[] = [];
  const values: Tensor[] = [];
  for (let s = 0; s < steps; s++) {
    const ax = t(a.matmul(x));
    if (history) {
      vectors.push(x);
      values.push(rayleigh(x, ax));
    }
    x = unit(ax, x);
  }
  const ax = t(a.matmul(x));
  const value = rayleigh(x, ax);
  const residual = t(
    t(t(ax.sub(t(x.mul(t(value.reshape([...batchShape, 1, 1])))))).square()).sum([axis, axis + 1]),
  ).sqrt();
  const vector = x.reshape([...batchShape, n]);
  const keep = [vector, value, residual];
  let hist: PowerIterationResult['history'];
  if (history) {
    vectors.push(x);
    values.push(value);
    hist = {
      vectors: ctx.stack(vectors.map((v) => t(v.reshape([...batchShape, n])))),
      values: ctx.stack(values),
    };
    keep.push(hist.vectors, hist.values);
  }
  drop(ctx, temps, keep);
  return { vector, value, residual, ...(hist ? { history: hist } : {}) };
}
