// Everything built on P A = L U with partial pivoting (one backend call): solve, det, slogdet, inv. The
// forward passes run unrecorded and each function records its own rule in terms of A (solve with A^T,
// inv(A)), so gradients are differentiable again.
import { record, untracked } from '../autodiff';
import type { Tensor } from '../tensor';
import { blockedLu, rowsOf, useBlocked } from './blocked';
import { diagonal, drop, mT, rightHandSides, squareMatrices } from './common';
import { solveUntracked } from './triangular';
import { storageOf } from '../ops/inputs';

interface Lu {
  /** L (unit lower, below the diagonal) and U (on and above), packed: (..., n, n). */
  lu: Tensor;
  /** Row i of P A is row perm[i] of A: (..., n). */
  perm: Tensor;
  /** det(P): (...). */
  sign: Tensor;
}

function luOf(op: string, a: Tensor): Lu {
  const { batchShape, n, batch } = squareMatrices(op, a);
  const ctx = a.ctx;
  if (batch * n === 0) {
    return {
      lu: ctx.wrap(ctx.engine.fill(0, a.size), a.shape),
      perm: ctx.wrap(ctx.engine.fill(0, batch * n), [...batchShape, n]),
      sign: ctx.wrap(ctx.engine.fill(1, batch), batchShape),
    };
  }
  if (useBlocked(ctx, n)) {
    return untracked(ctx, () => {
      const flat = a.reshape([batch, n, n]);
      const f = blockedLu(flat);
      const out = {
        lu: f.lu.reshape(a.shape),
        perm: f.perm.reshape([...batchShape, n]),
        sign: f.sign.reshape(batchShape),
      };
      for (const t of [flat, f.lu, f.perm, f.sign]) t.dispose();
      return out;
    });
  }
  const r = ctx.engine.lu(storageOf(op, ctx, a), batch, n);
  return {
    lu: ctx.wrap(r.lu, a.shape),
    perm: ctx.wrap(r.perm, [...batchShape, n]),
    sign: ctx.wrap(r.sign, batchShape),
  };
}

/** P B: row i is row perm[i] of B (..., n, k), for perm (..., n) of one batch shape with B. */
function permuteRows(perm: Tensor, B: Tensor): Tensor {
  const ctx = B.ctx;
  const [n, k] = B.shape.slice(-2);
  if (useBlocked(ctx, n) || (ctx.engine.name === 'wasm' && n >= 32)) {
    // A gather: a permutation matrix would make this an n^2 k matmul (for inv, as many FLOPs as a
    // triangular solve: on wasm a third of inv's time at n = 1024; below n = 32 the matmul is cheaper
    // than the gather's few extra ops).
    return ctx.tidy(() => {
      const batch = B.size / (n * k);
      return rowsOf(B.reshape([batch, n, k]), perm.reshape([batch, n])).reshape(B.shape);
    });
  }
  return ctx.tidy(() => perm.oneHot(n).matmul(B)); // P[i, perm[i]] = 1, so P B has row perm[i] at i
}

/** X = A^-1 B for A (..., n, n) square and B (..., n, k) of one batch shape, unrecorded. */
function luSolve(op: string, A: Tensor, B: Tensor): Tensor {
  return untracked(A.ctx, () => {
    const f = luOf(op, A);
    const n = A.shape[A.shape.length - 1];
    const PB = n === 0 ? B.clone() : permuteRows(f.perm, B);
    const Y = solveUntracked(f.lu, PB, { lower: true, transpose: false, unitDiagonal: true });
    const X = solveUntracked(f.lu, Y, { lower: false, transpose: false, unitDiagonal: false });
    for (const t of [f.lu, f.perm, f.sign, PB, Y]) t.dispose();
    return X;
  });
}

/**
 * X with A X = B for square A (..., n, n) and B (..., n, k) or (..., n) (a vector when B has one axis less
 * than A); batch axes broadcast. LU with partial pivoting. An exactly singular A gives infinities or NaN
 * (a division by a zero pivot), never an error or a hang. Differentiable in A and B (to any order).
 */
export function solve(a: Tensor, b: Tensor): Tensor {
  const op = 'linalg.solve';
  const { A, B, vector, temps } = rightHandSides(op, a, b);
  const X = solveRecorded(A, B);
  if (!vector) {
    drop(a.ctx, temps, [X]);
    return X;
  }
  const out = X.reshape(X.shape.slice(0, -1));
  drop(a.ctx, [...temps, X], [out]);
  return out;
}

/** solve for A and B of one batch shape, with its rule: dB = A^-T g, dA = -dB X^T. */
function solveRecorded(A: Tensor, B: Tensor): Tensor {
  const X = luSolve('linalg.solve', A, B);
  record(X, [A, B], (g) => {
    const dB = solveRecorded(mT(A), g);
    return [dB.matmul(mT(X)).neg(), dB];
  });
  return X;
}

/** The inverse of square A (..., n, n), as solve(A, I): singular A gives infinities or NaN. */
export function inv(a: Tensor): Tensor {
  const op = 'linalg.inv';
  const { n } = squareMatrices(op, a);
  const eye = untracked(a.ctx, () => a.ctx.eye(n));
  const x = solve(a, eye);
  drop(a.ctx, [eye]);
  return x;
}

/** A^-T times g broadcast over the last two axes: the shared part of the det and slogdet rules. */
function invTransposeTimes(a: Tensor, s: Tensor): Tensor {
  const scale = s.reshape([...s.shape, 1, 1]);
  return mT(inv(a)).mul(scale);
}

/**
 * Determinants of square A (..., n, n) -> (...), as det(P) times the product of U's diagonal; a singular
 * matrix whose elimination meets a zero pivot gives exactly 0. Gradient g det(A) A^-T (NaN where A is
 * singular).
 */
export function det(a: Tensor): Tensor {
  const op = 'linalg.det';
  squareMatrices(op, a);
  const out = untracked(a.ctx, () => {
    const f = luOf(op, a);
    const d = diagonal(op, f.lu);
    const p = d.prod(-1);
    const signed = p.mul(f.sign);
    // A zero pivot makes det exactly 0, also where the product of the others overflowed (0 * Inf = NaN).
    const zero = d.equal(0);
    const singular = zero.max(-1);
    const r = singular.where(0, signed);
    for (const t of [f.lu, f.perm, f.sign, d, p, signed, zero, singular]) t.dispose();
    return r;
  });
  record(out, [a], (g) => [invTransposeTimes(a, g.mul(out))]);
  return out;
}

/**
 * sign and log|det| of square A (..., n, n), each (...): det = sign * exp(logAbsDet) without overflow.
 * A singular matrix gives sign 0 and logAbsDet -Infinity. logAbsDet's gradient is A^-T; sign has none.
 */
export function slogdet(a: Tensor): { sign: Tensor; logAbsDet: Tensor } {
  const op = 'linalg.slogdet';
  squareMatrices(op, a);
  const { sign, logAbsDet } = untracked(a.ctx, () => {
    const f = luOf(op, a);
    const d = diagonal(op, f.lu);
    const ds = d.sign();
    const dsp = ds.prod(-1);
    const ad = d.abs();
    const lg = ad.log();
    const s = dsp.mul(f.sign);
    const l = lg.sum(-1);
    for (const t of [f.lu, f.perm, f.sign, d, ds, dsp, ad, lg]) t.dispose();
    return { sign: s, logAbsDet: l };
  });
  record(logAbsDet, [a], (g) => [invTransposeTimes(a, g)]);
  return { sign, logAbsDet };
}
