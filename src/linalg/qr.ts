// Reduced Householder QR of matrices batched over leading axes (one backend call), R's diagonal made
// non-negative, and its gradient in recorded ops: for m >= n, dA = [dQ + Q sym(M)] R^-T with
// M = dR R^T - Q^T dQ and sym() the symmetric matrix of M's upper triangle; for m < n the rule of the
// square part plus the trailing columns' R2 = Q^T Y.
import { record, untracked } from '../autodiff';
import { fmtShape, GradboxError } from '../errors';
import { storageOf } from '../ops/inputs';
import { sizeOf } from '../shape';
import type { Tensor } from '../tensor';
import { blockedQr, useBlockedQr } from './blocked_qr';
import { mT } from './common';
import { solveCore } from './triangular';

/** Q and R of {@link qr}. */
export interface QrResult {
  /** (..., m, k), k = min(m, n): orthonormal columns. */
  q: Tensor;
  /** (..., k, n): upper triangular, its diagonal >= 0. */
  r: Tensor;
}

/** The symmetric matrix whose upper triangle is M's: triu(M) + triu(M, 1)^T. */
const symmetricFromUpper = (M: Tensor) => M.triu().add(mT(M.triu(1)));

/**
 * The gradient of A = Q R for square R (m >= n), given the cotangents of Q and R (null: zero). Linear in
 * them, so Q's and R's rules are recorded apart and their sum is the whole gradient.
 */
function squareRule(Q: Tensor, R: Tensor, gQ: Tensor | null, gR: Tensor | null): Tensor {
  const fromR = gR ? gR.matmul(mT(R)) : null;
  const fromQ = gQ ? mT(Q).matmul(gQ) : null;
  const M = fromR && fromQ ? fromR.sub(fromQ) : (fromR ?? fromQ!.neg());
  const QS = Q.matmul(symmetricFromUpper(M));
  const B = gQ ? gQ.add(QS) : QS;
  // B R^-T = (R^-1 B^T)^T.
  return mT(solveCore(R, mT(B), { lower: false, transpose: false, unitDiagonal: false }));
}

/**
 * Reduced QR decomposition A = Q R of A (..., m, n) by Householder reflections: Q (..., m, k) with
 * orthonormal columns and upper-triangular R (..., k, n), k = min(m, n). Sign convention: R's diagonal is
 * non-negative (LAPACK's may be negative), so for A of full column rank the factorisation is unique and
 * Q's columns are what Gram-Schmidt gives; a column that depends on the earlier ones gets a 0 on R's
 * diagonal and Q still has orthonormal columns. On WebGPU a matrix of up to 4096 elements is factored in
 * one workgroup, larger ones column by column up to min(m, n) = 255, and from 256 by LAPACK's blocked
 * algorithm: a kernel factors each 64-column panel into reflectors in compact WY form, and gradbox's matmul
 * applies them to the trailing columns and builds Q. The CPU backends block from min(m, n) = 192 (wasm)
 * and 512 (js).
 *
 * Differentiable where R's leading k x k block is invertible (A of full rank): the gradient of a
 * rank-deficient A is infinite or NaN.
 */
export function qr(a: Tensor): QrResult {
  const op = 'linalg.qr';
  storageOf(op, a?.ctx, a);
  const rank = a.shape.length;
  if (rank < 2) {
    throw new GradboxError(
      `${op}: A must be a matrix or a batch of them, shape (..., m, n), got ${fmtShape(a.shape)}; ` +
        'reshape a vector to a column (n, 1)',
    );
  }
  const ctx = a.ctx;
  const engine = ctx.engine;
  const batchShape = a.shape.slice(0, -2);
  const [m, n] = a.shape.slice(-2);
  const k = Math.min(m, n);
  const batch = sizeOf(batchShape);
  let Q: Tensor;
  let R: Tensor;
  if (batch * k === 0) {
    Q = ctx.wrap(engine.fill(0, batch * m * k), [...batchShape, m, k]);
    R = ctx.wrap(engine.fill(0, batch * k * n), [...batchShape, k, n]);
  } else if (useBlockedQr(ctx, m, n)) {
    // A tidy scope, so that a failure part way leaves nothing behind.
    const f = untracked(ctx, () =>
      ctx.tidy(() => {
        const out = blockedQr(a.reshape([batch, m, n]));
        return { q: out.q.reshape([...batchShape, m, k]), r: out.r.reshape([...batchShape, k, n]) };
      }),
    );
    Q = f.q;
    R = f.r;
  } else {
    const out = engine.qr(storageOf(op, ctx, a), batch, m, n);
    Q = ctx.wrap(out.q, [...batchShape, m, k]);
    R = ctx.wrap(out.r, [...batchShape, k, n]);
  }
  if (m >= n) {
    record(Q, [a], (g) => [squareRule(Q, R, g, null)]);
    record(R, [a], (g) => [squareRule(Q, R, null, g)]);
    return { q: Q, r: R };
  }
  // m < n: A = [X | Y] with X (m, m); Q R1 = X and R2 = Q^T Y, so dY = Q dR2 and Y dR2^T joins dQ.
  const lead = batchShape.map(() => 0);
  const wide = (gQ: Tensor | null, gR: Tensor | null): Tensor => {
    const R1 = R.slice([...lead, 0, 0], [...batchShape, m, m]);
    const Y = a.slice([...lead, 0, m], [...batchShape, m, n]);
    const gR1 = gR ? gR.slice([...lead, 0, 0], [...batchShape, m, m]) : null;
    const gR2 = gR ? gR.slice([...lead, 0, m], [...batchShape, m, n]) : null;
    const fromY = gR2 ? Y.matmul(mT(gR2)) : null;
    const gQ1 = gQ && fromY ? gQ.add(fromY) : (gQ ?? fromY);
    const gX = squareRule(Q, R1, gQ1, gR1);
    const gY = gR2 ? Q.matmul(gR2) : ctx.zeros([...batchShape, m, n - m]);
    return ctx.concat([gX, gY], rank - 1);
  };
  record(Q, [a], (g) => [wide(g, null)]);
  record(R, [a], (g) => [wide(null, g)]);
  return { q: Q, r: R };
}
