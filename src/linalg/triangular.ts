// Triangular solves X = op(A)^-1 B by substitution (one backend call), with their gradient:
// dB = op(A)^-T g (another triangular solve) and d op(A) = -tril(dB X^T) (or triu), both recorded ops.
import { record, untracked } from '../autodiff';
import { describe, GradboxError } from '../errors';
import { storageOf } from '../ops/inputs';
import type { Tensor } from '../tensor';
import { blockedTriangularSolve, useBlocked } from './blocked';
import { drop, mT, rightHandSides } from './common';

/** Options of {@link triangularSolve}. */
export interface TriangularSolveOptions {
  /** A is lower triangular (default true); false: upper. Only that triangle of A is read. */
  lower?: boolean;
  /** Solve A^T X = B instead (default false). */
  transpose?: boolean;
  /** Take A's diagonal as all ones, without reading it (default false). */
  unitDiagonal?: boolean;
}

interface Resolved {
  lower: boolean;
  transpose: boolean;
  unitDiagonal: boolean;
}

/**
 * X with op(A) X = B for triangular A (..., n, n), where op(A) is A or A^T, and B (..., n, k) or (..., n);
 * batch axes broadcast. A zero on the diagonal gives infinities or NaN (IEEE division), never an error.
 * Differentiable in A and B.
 */
export function triangularSolve(a: Tensor, b: Tensor, options: TriangularSolveOptions = {}): Tensor {
  const op = 'linalg.triangularSolve';
  if (typeof options !== 'object' || options === null) {
    throw new GradboxError(`${op}: options must be an object like { lower: true }, got ${describe(options)}`);
  }
  const flag = (name: keyof TriangularSolveOptions, fallback: boolean) => {
    const v = options[name];
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean')
      throw new GradboxError(`${op}: ${name} must be a boolean, got ${describe(v)}`);
    return v;
  };
  const lower = flag('lower', true);
  const transpose = flag('transpose', false);
  const unitDiagonal = flag('unitDiagonal', false);
  const { A, B, vector, temps } = rightHandSides(op, a, b);
  // The triangle of op(A): A's own, or the other one when op(A) = A^T.
  const x = solveCore(A, B, { lower: lower !== transpose, transpose, unitDiagonal });
  if (!vector) {
    drop(a.ctx, temps, [x]);
    return x;
  }
  const out = x.reshape(x.shape.slice(0, -1));
  drop(a.ctx, [...temps, x], [out]);
  return out;
}

/**
 * op(A)^-1 B for A (batch..., n, n) and B (batch..., n, k) of one batch shape, `lower` naming op(A)'s
 * triangle. Recorded with its gradient rule. @internal
 */
export function solveCore(A: Tensor, B: Tensor, o: Resolved): Tensor {
  const op = 'linalg.triangularSolve';
  const ctx = A.ctx;
  const n = A.shape[A.shape.length - 1];
  const k = B.shape[B.shape.length - 1];
  const batch = B.size / Math.max(1, n * k);
  let X: Tensor;
  if (B.size > 0 && useBlocked(ctx, n)) {
    X = untracked(ctx, () => {
      const a3 = A.reshape([batch, n, n]);
      const b3 = B.reshape([batch, n, k]);
      const flat = blockedTriangularSolve(a3, b3, o);
      const shaped = flat.reshape(B.shape);
      for (const t of [a3, b3, flat]) t.dispose();
      return shaped;
    });
  } else {
    const storage =
      B.size === 0
        ? ctx.engine.fill(0, 0)
        : ctx.engine.triangularSolve(storageOf(op, ctx, A), storageOf(op, ctx, B), batch, n, k, o);
    X = ctx.wrap(storage, B.shape);
  }
  record(X, [A, B], (g) => {
    // op(A)^T has the other triangle: dB = op(A)^-T g; d op(A) = -dB X^T on op(A)'s triangle.
    const dB = solveCore(A, g, { ...o, lower: !o.lower, transpose: !o.transpose });
    const shift = o.unitDiagonal ? 1 : 0;
    const full = dB.matmul(mT(X)).neg();
    const dOp = o.lower ? full.tril(-shift) : full.triu(shift);
    return [o.transpose ? mT(dOp) : dOp, dB];
  });
  return X;
}

/** solveCore without recording, for forward passes whose op records its own rule. @internal */
export function solveUntracked(A: Tensor, B: Tensor, o: Resolved): Tensor {
  return untracked(A.ctx, () => solveCore(A, B, o));
}
