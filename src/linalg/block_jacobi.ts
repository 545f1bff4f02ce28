// Block Jacobi for large matrices: eigh by two-sided and svd by one-sided block rotations. The matrix is cut
// into column blocks; each round pairs them, a batched small eigh (one backend call for all pairs: one
// workgroup per pair on WebGPU) finds each pair's rotation, and gradbox's own batched matmul applies them.
// Forward passes only: eigh.ts and svd.ts record the gradients in terms of the results.
import { untracked } from '../autodiff';
import type { Context } from '../context';
import { storageOf } from '../ops/inputs';
import { matmulCore } from '../ops/matmul';
import { stridedRead } from '../ops/shape';
import type { Tensor } from '../tensor';
import { rowsOf, step } from './blocked';
import { diagonal, mT } from './common';
import { qr } from './qr';

/**
 * @internal The block size b (a pair of blocks, 2b x 2b, is what the small eigh diagonalises), the number
 * of sweeps for a given number of blocks, per backend the smallest n (min(m, n) for svd) that takes this
 * path, and the largest batch that does. Tests lower the thresholds and the block.
 *
 * Thresholds, measured on SwiftShader (2 shared cores) and in Node, one matrix, b = 32 against the scalar
 * rungs: on WebGPU even at n = 192 and faster from 256 (eigh 3.0 vs 3.4 s, svd 3.4 vs 4.2 s; n = 512:
 * ~36 vs 52 s and ~36 vs 81 s); on wasm, whose loops run in float64, slower up to 384 and 2.6-3.8x faster at
 * 512 (eigh 5.3 vs 14.0 s, svd 3.7-4.4 vs 13.9 s); the TypeScript backend's loops were as fast or faster at
 * every size (its matmul is the slow part), so it never switches. Batches: the one-matrix kernels run the
 * matrices of a batch side by side, and on SwiftShader 2 x 384 x 384 tied and 4 x 192 x 192 was 1.25x
 * faster there, so batches keep the kernels. GPU hardware was not measured: there the kernels leave most of
 * the device idle, and a lower threshold and larger batches are likely to pay.
 *
 * Sweeps: eigh and svd return without waiting for the device, so no sweep can ask whether the last one
 * converged; the count is fixed beforehand and a device-side test turns the rotations into I once converged
 * (extra sweeps then change nothing). Measured (b = 32; random, cond 1e4 and clustered spectra, float32 to
 * a few eps32 of the float64 values): eigh and the QR-preconditioned svd converge within log2(blocks) + 3
 * sweeps at n = 256 and 512 (8 and 16 blocks); two sweeps more are the margin.
 */
export const blockJacobi = {
  block: 32,
  sweeps: {
    eigh: (blocks: number) => Math.ceil(Math.log2(blocks)) + 5,
    svd: (blocks: number) => Math.ceil(Math.log2(blocks)) + 5,
  },
  from: { webgpu: 192, js: Infinity, wasm: 512 } as Record<string, number>,
  batches: 1,
};

/** Whether `batch` matrices of size n (eigh: n; svd: min(m, n)) on this context take the block Jacobi path. */
export const useBlockJacobi = (ctx: Context, n: number, batch: number): boolean =>
  n >= (blockJacobi.from[ctx.engine.name] ?? Infinity) && batch <= blockJacobi.batches;

/**
 * Runs `solve` on x (..., r, c) as one batch (B, r, c), untracked, and returns `shape`'s tensors (reshapes
 * of its results to x's batch axes); the flat input and the results themselves are freed.
 */
export function shapedLike<T extends Record<string, Tensor>>(
  x: Tensor,
  solve: (flat: Tensor) => T,
  shape: (r: T) => Tensor[],
): Tensor[] {
  const [r, c] = x.shape.slice(-2);
  return untracked(x.ctx, () => {
    const flat = x.reshape([x.size / (r * c), r, c]);
    const results = solve(flat);
    const shaped = shape(results);
    flat.dispose();
    Object.values(results).forEach((t) => t.dispose());
    return shaped;
  });
}

const EPS32 = 2 ** -23;
/** A column of the svd's work matrix with a norm at or below this (units of max|A|) has no direction. */
const ZERO_COLUMN = 1e-15;

/**
 * The block each storage slot holds in round r of a sweep over `blocks` (even) blocks; pair k is slots
 * (2k, 2k+1). The circle method: block 0 stays, the others move one place per round, so the blocks - 1
 * rounds of a sweep pair every two blocks exactly once.
 */
function arrangement(r: number, blocks: number): number[] {
  const player = (pos: number) => (pos === 0 ? 0 : 1 + ((pos - 1 + r) % (blocks - 1)));
  const slots: number[] = [];
  for (let k = 0; k < blocks / 2; k++) slots.push(player(k), player(blocks - 1 - k));
  return slots;
}

/** Row indices (blocks of b rows) that take rows laid out as `from` (null: block x in slot x) to `to`. */
function moveRows(ctx: Context, from: number[] | null, to: number[], b: number): Tensor {
  const slotOf = new Map<number, number>();
  (from ?? to.map((_, s) => s)).forEach((block, slot) => slotOf.set(block, slot));
  const idx = new Float32Array(to.length * b);
  to.forEach((block, slot) => {
    for (let t = 0; t < b; t++) idx[slot * b + t] = slotOf.get(block)! * b + t;
  });
  return ctx.tensor(idx, [idx.length]);
}

/**
 * The plan shared by eigh and svd for C columns in blocks of b: N = C padded to a whole number of pairs,
 * the index that lays the blocks out for the first round, and the one after each round r that lays them
 * out for the next (null where there is only one pair and nothing moves).
 */
function tournament(ctx: Context, C: number) {
  const b = blockJacobi.block;
  const N = Math.max(1, Math.ceil(C / (2 * b))) * 2 * b;
  const blocks = N / b;
  const rounds = blocks - 1;
  const first = moveRows(ctx, null, arrangement(0, blocks), b);
  const next = Array.from({ length: rounds }, (_, r) =>
    rounds === 1 ? null : moveRows(ctx, arrangement(r, blocks), arrangement((r + 1) % rounds, blocks), b),
  );
  const dispose = () => [first, ...next].forEach((t) => t?.dispose());
  return { b, N, blocks, pairs: blocks / 2, rounds, first, next, dispose };
}

/** x (B, rows, cols) scaled to max|x| = 1 per matrix, the scale, and whether all of x is finite (B). */
function scaled(x: Tensor): { x: Tensor; scale: Tensor; finite: Tensor } {
  const B = x.shape[0];
  // 0 x is 0 for a finite x and NaN for NaN or an infinity; a sum of |x| could overflow instead.
  const finite = x.mul(0).sum([1, 2]).equal(0);
  const top = x.abs().max([1, 2]);
  const scale = finite.where(top.greater(0).where(top, 1), 1);
  return { x: x.div(scale.reshape([B, 1, 1])), scale, finite };
}

/** x (B, N) taken in the order idx (B, k) per row: (B, k). */
const take = (x: Tensor, idx: Tensor): Tensor => rowsOf(x.reshape([...x.shape, 1]), idx).reshape(idx.shape);

/** +-1 per row of x (B, r, c), (B, r, 1): the sign of the row's largest-magnitude entry (the first of equals). */
function signs(x: Tensor): Tensor {
  const [B, r, c] = x.shape;
  const ctx = x.ctx;
  const at = x
    .abs()
    .argmax(2)
    .add(
      ctx
        .arange(B * r)
        .mul(c)
        .reshape([B, r]),
    );
  return x
    .reshape([B * r * c])
    .gather(at)
    .less(0)
    .where(-1, 1)
    .reshape([B, r, 1]);
}

/** Where `finite` (B) is 0, NaN instead of x (B, ...). */
const nanUnless = (finite: Tensor, x: Tensor): Tensor =>
  finite.reshape([finite.shape[0], ...x.shape.slice(1).map(() => 1)]).where(x, NaN);

/**
 * The rotations of a round, for Bp pairs of width w = 2b: `rotate(m, keep)` takes the small symmetric
 * eigendecompositions of m (Bp, w, w) in one backend call and reorders each V's columns so that the b with
 * the most weight in the first block come first. The eigh sorts its eigenvalues instead, which would move
 * the lower half of every pair into its first block and the upper half into its second: the tournament then
 * never pairs some blocks' contents (the lowest eigenvalues stay in the block that never moves, the highest
 * never reach it) and the iteration stalls. Keeping each block's content in place (V close to block
 * diagonal, as the convergence proofs of block Jacobi ask) lets every pair of contents meet once a sweep.
 * Where `keep` (Bp, 1, 1) is 1 the rotation is I. Returns V^T (Bp, w, w), as the updates use it, and the
 * eigenvalues in V's column order (Bp, w).
 */
function pairRotations(ctx: Context, op: string, Bp: number, w: number) {
  const eye = ctx.eye(w);
  // Flat offsets: of V[z, i, 0] at (z, 0, i), and of values[z, 0] at (z, 0).
  const columns = ctx.tidy(() =>
    ctx
      .arange(Bp)
      .mul(w * w)
      .reshape([Bp, 1, 1])
      .add(ctx.arange(w).mul(w).reshape([1, 1, w])),
  );
  const starts = ctx.tidy(() => ctx.arange(Bp).mul(w).reshape([Bp, 1]));
  const rotate = (m: Tensor, keep: Tensor): { Vt: Tensor; values: Tensor } => {
    const r = ctx.engine.eigh(storageOf(op, ctx, m), Bp, w);
    const V = ctx.wrap(r.vectors, [Bp, w, w]);
    const order = V.slice([0, 0, 0], [Bp, w / 2, w])
      .square()
      .sum(1)
      .argsort(1, true); // (Bp, w)
    // Vt[z, j, i] = V[z, i, order[z, j]]
    const Vt = V.reshape([Bp * w * w]).gather(order.reshape([Bp, w, 1]).add(columns));
    const values = ctx.wrap(r.values, [Bp * w]).gather(order.add(starts));
    return { Vt: keep.where(eye, Vt), values };
  };
  const dispose = () => [eye, columns, starts].forEach((t) => t.dispose());
  return { rotate, eye, dispose };
}

/**
 * Eigenvalues (B, n) ascending and eigenvectors (B, n, n, as columns) of the symmetric parts of a (B, n, n),
 * by two-sided block Jacobi: the matrix (scaled to max|A| = 1) is padded to N, a multiple of 2b, with a
 * diagonal tail c = 2 ||A||_F + 1 that no rotation mixes in (its couplings are exact zeros, and c lies above
 * every eigenvalue, so the padding sorts last and is dropped). Each round takes the p diagonal 2b x 2b
 * blocks of the pairs (kept adjacent: the whole matrix is permuted between rounds), diagonalises them in one
 * batched eigh, applies the rotations to block rows and block columns with two batched matmuls, using
 * symmetry (V^T A V = V^T (V^T A)^T), and sets the pairs' diagonal blocks to their eigenvalues. The
 * eigenvector matrix is kept transposed, so its update is one batched matmul over rows as well.
 */
export function blockJacobiEigh(a: Tensor): { values: Tensor; vectors: Tensor } {
  const op = 'linalg.eigh';
  const ctx = a.ctx;
  const [B, n] = a.shape;
  return untracked(ctx, () => {
    const t = tournament(ctx, n);
    const { b, N, pairs: p } = t;
    const w = 2 * b;
    const start = ctx.tidy(() => {
      const { x, scale, finite } = scaled(a.add(mT(a)).mul(0.5));
      const norm = x.norm(2, [1, 2]); // (B)
      const tail = ctx.arange(N).greaterEqual(n); // 1 on the padding
      const padded = x
        .pad([
          [0, 0],
          [0, N - n],
          [0, N - n],
        ])
        .add(
          ctx
            .eye(N)
            .mul(tail)
            .mul(norm.mul(2).add(1).reshape([B, 1, 1])),
        );
      const A = padded.gather(t.first, 1).gather(t.first, 2);
      const Y = ctx.eye(N).gather(t.first, 0).reshape([1, N, N]).broadcastTo([B, N, N]);
      return { A, Y, norm, scale, finite };
    });
    let { A, Y } = start;
    const { norm, scale, finite } = start;
    const offDiagonal = ctx.tidy(() => ctx.eye(N).equal(0));
    const pairs = pairRotations(ctx, op, B * p, w);
    // The pairs' diagonal blocks, as (B, p, 2b, 2b) views of A: pair k is rows and columns k 2b .. k 2b + 2b - 1.
    const blockStrides = [N * N, w * N + w, N, 1];
    const blockShape = [B, p, w, w];
    let frozen: Tensor = ctx.zeros([B, 1, 1]);
    let keep: Tensor = ctx.zeros([B * p, 1, 1]);
    const sweeps = blockJacobi.sweeps.eigh(t.blocks);
    for (let sweep = 0; sweep < sweeps; sweep++) {
      // Converged when the off-diagonal part is below eps32 ||A||_F: the diagonal is then within
      // ||off||_2 <= eps32 ||A||_F <= sqrt(n) eps32 ||A||_2 of the spectrum (Weyl), inside the documented
      // n eps32 ||A||, and the vectors within that over the gap. From then on every rotation is I. The
      // flag stays on the device: eigh returns without waiting for the GPU, so the sweep count is fixed.
      ({ frozen, keep } = step(ctx, [frozen, keep], () => {
        const off = A.mul(offDiagonal).norm(2, [1, 2]);
        const f = frozen.maximum(off.lessEqual(norm.mul(EPS32)).reshape([B, 1, 1]));
        return {
          frozen: f,
          keep: f
            .reshape([B, 1, 1, 1])
            .broadcastTo([B, p, 1, 1])
            .reshape([B * p, 1, 1]),
        };
      }));
      for (let r = 0; r < t.rounds; r++) {
        const move = sweep + 1 === sweeps && r + 1 === t.rounds ? null : t.next[r];
        const out = step(ctx, [A, Y], () => {
          const M = stridedRead(op, A, 0, blockStrides, blockShape).reshape([B * p, w, w]);
          const { Vt, values } = pairs.rotate(M, keep);
          const rows = (x: Tensor) => x.reshape([B * p, w, N]);
          const half = matmulCore(Vt, rows(A)).reshape([B, N, N]); // V^T A
          const full = matmulCore(Vt, rows(mT(half))).reshape([B, N, N]); // V^T A V
          // A rotated pair's diagonal block is diag(its eigenvalues), written in place: rounding leaves
          // ~2b eps32 |A| off its diagonal otherwise, and the iteration would not settle below that.
          const D = keep.where(M, pairs.eye.mul(values.reshape([B * p, 1, w])));
          const dStrides = [p * w * w, w * w, w, 1];
          ctx.engine.stridedInto(
            storageOf(op, ctx, full),
            0,
            blockStrides,
            storageOf(op, ctx, D),
            dStrides,
            blockShape,
          );
          let next = full;
          let vectors = matmulCore(Vt, rows(Y)).reshape([B, N, N]);
          if (move) {
            next = next.gather(move, 1).gather(move, 2);
            vectors = vectors.gather(move, 1);
          }
          return { A: next, Y: vectors };
        });
        A = out.A;
        Y = out.Y;
      }
    }
    const result = ctx.tidy(() => {
      const lambda = diagonal(op, A); // (B, N)
      const rows = Y.slice([0, 0, 0], [B, N, n]); // eigenvectors as rows, without the padding's coordinates
      const pivots = rows.abs().argmax(2);
      // Ascending; equal eigenvalues in the order of their vectors' largest entries (so a diagonal or zero
      // matrix gives unit vectors in order), as the one-matrix kernels order them by index.
      const byPivot = pivots.argsort(1);
      const order = take(byPivot, take(lambda, byPivot).argsort(1)).slice([0, 0], [B, n]);
      const values = take(lambda, order).mul(scale.reshape([B, 1]));
      const chosen = rowsOf(rows, order); // (B, n, n)
      const lengths = chosen.square().sum(2, true).sqrt(); // rounded rotations drift the norms slightly
      const vectors = mT(chosen.mul(signs(chosen)).div(lengths));
      return { values: nanUnless(finite, values), vectors: nanUnless(finite, vectors) };
    });
    for (const x of [A, Y, norm, scale, finite, frozen, keep, offDiagonal]) x.dispose();
    pairs.dispose();
    t.dispose();
    return result;
  });
}

/**
 * The reduced SVD of a (B, m, n) by one-sided block Jacobi, preconditioned by QR (Drmac and Veselic): W = A
 * (A^T when A is wide, so W is R x C, R >= C) is first factored W = Q1 R1, and the Jacobi iteration runs on
 * the columns of R1^T, whose rows X (B, N, C) are R1's, padded with zero rows to N, a multiple of 2b. Each
 * round forms the pairs' Gram matrices X_k X_k^T (2b x 2b, one batched matmul), diagonalises them in one
 * batched eigh and rotates the pairs' rows (and those of V's transpose) by the eigenvectors, until the
 * columns are orthogonal: R1^T V = U' S, so W = (Q1 V) S U'^T. The singular values are the column norms;
 * Q1 V has orthonormal columns by construction, and U' is the QR factor of the normalised columns, which
 * keeps those that are already orthonormal and completes the set where a column has no direction (a
 * rank-deficient A). The QR costs about one sweep and saves several: measured at n = 512 (b = 32), random
 * matrices converged in 6 sweeps instead of 7, and cond 1e4 ones in 5 instead of more than 9.
 */
export function blockJacobiSvd(a: Tensor): { u: Tensor; s: Tensor; vt: Tensor } {
  const op = 'linalg.svd';
  const ctx = a.ctx;
  const [B, m, n] = a.shape;
  const tall = m >= n;
  const C = Math.min(m, n);
  return untracked(ctx, () => {
    const t = tournament(ctx, C);
    const { b, N, pairs: p } = t;
    const w = 2 * b;
    const start = ctx.tidy(() => {
      const { x, scale, finite } = scaled(tall ? a : mT(a)); // W (B, R, C)
      const f = qr(x);
      const padded = f.r.pad([
        [0, 0],
        [0, N - C],
        [0, 0],
      ]);
      const X = padded.gather(t.first, 1);
      const Y = ctx.eye(N).gather(t.first, 0).reshape([1, N, N]).broadcastTo([B, N, N]);
      return { X, Y, Q1: f.q, scale, finite };
    });
    let { X, Y } = start;
    const { Q1, scale, finite } = start;
    const pairs = pairRotations(ctx, op, B * p, w);
    const offDiagonal = pairs.eye.equal(0);
    // Rounding leaves the inner products of orthogonal columns at ~sqrt(C) eps32 |x_p| |x_q|: a pair whose
    // columns are all that orthogonal is left alone (its rotation would only reorder them).
    const tol = Math.max(1, Math.sqrt(C)) * EPS32;
    const sweeps = blockJacobi.sweeps.svd(t.blocks);
    for (let sweep = 0; sweep < sweeps; sweep++) {
      for (let r = 0; r < t.rounds; r++) {
        const move = sweep + 1 === sweeps && r + 1 === t.rounds ? null : t.next[r];
        const out = step(ctx, [X, Y], () => {
          const rows = (x: Tensor) => x.reshape([B * p, w, x.shape[2]]);
          const G = matmulCore(rows(X), rows(X), false, true); // (B p, 2b, 2b)
          // Settled: every g_pq^2 <= tol^2 g_pp g_qq (a pair of zero columns too).
          const d = diagonal(op, G).mul(tol);
          const bound = d.reshape([B * p, w, 1]).mul(d.reshape([B * p, 1, w]));
          const settled = G.square().mul(offDiagonal).lessEqual(bound).all([1, 2], true);
          const { Vt } = pairs.rotate(G, settled);
          let nextX = matmulCore(Vt, rows(X)).reshape([B, N, C]);
          let nextY = matmulCore(Vt, rows(Y)).reshape([B, N, N]);
          if (move) {
            nextX = nextX.gather(move, 1);
            nextY = nextY.gather(move, 1);
          }
          return { X: nextX, Y: nextY };
        });
        X = out.X;
        Y = out.Y;
      }
    }
    const result = ctx.tidy(() => {
      const lengths = X.square().sum(2).sqrt(); // (B, N): |R1^T v_j|
      const right = Y.slice([0, 0, 0], [B, N, C]); // V's columns as rows, without the padding's coordinates
      const vLengths = right.square().sum(2).sqrt(); // 1 up to rounding drift; 0 for the padding
      // R1^T v = s u' holds through rounded rotations even where they drift |v|, so s = |R1^T v| / |v|.
      const sv = lengths.div(vLengths);
      const order = vLengths.less(0.5).where(-1, sv).argsort(1, true).slice([0, 0], [B, C]);
      const s = take(sv, order).mul(scale.reshape([B, 1]));
      const norms = take(lengths, order).reshape([B, C, 1]);
      const cols = rowsOf(X, order).div(norms.greater(ZERO_COLUMN).where(norms, Infinity)); // (B, C, C)
      const inner = qr(mT(cols)).q; // U' (B, C, C)
      const v = rowsOf(right, order).div(take(vLengths, order).reshape([B, C, 1])); // V^T (B, C, C)
      const outer = Q1.matmul(mT(v)); // Q1 V (B, R, C)
      let u = tall ? outer : inner;
      let vt = mT(tall ? inner : outer);
      const sign = signs(mT(u)); // (B, C, 1)
      u = u.mul(mT(sign));
      vt = vt.mul(sign);
      return { u: nanUnless(finite, u), s: nanUnless(finite, s), vt: nanUnless(finite, vt) };
    });
    for (const x of [X, Y, Q1, scale, finite, offDiagonal]) x.dispose();
    pairs.dispose();
    t.dispose();
    return result;
  });
}
