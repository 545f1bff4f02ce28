// Blocked Householder QR of large matrices, LAPACK's geqrf and orgqr: per block of `qrBlocking.block`
// columns, a backend kernel factors the tall panel into reflectors in compact WY form
// (H_1 ... H_b = I - V T V^T) and the panel's R; the trailing matrix, where nearly all the FLOPs are, is
// updated by gradbox's own matmul, and so is Q, formed by applying the blocks backwards to the first k
// columns of the identity. Forward pass only: qr() records the gradient in terms of Q and R.
import { untracked } from '../autodiff';
import type { Context } from '../context';
import { matmulCore } from '../ops/matmul';
import { storageOf } from '../ops/inputs';
import type { Tensor } from '../tensor';
import { block, step } from './blocked';

/**
 * @internal The widths and, per backend, the smallest min(m, n) that is factored blocked. `block` columns
 * are factored at a time and then update the trailing matrix; a block wider than `panel` (<= QR_PANEL_MAX)
 * is factored recursively, halved until the backend's panel kernel takes it. Measured on SwiftShader and
 * Node on 2 busy cores (n x n, median ms): WebGPU's column-by-column kernel against blocked 64/64 at
 * n = 128: 113 vs 94, 256: 430 vs 316, 384: 1045 vs 697, 1024: ~25,000 vs ~7,000, and wider blocks or
 * narrower panels were no faster up to 2048; the CPU loops (float64 sums) win below n ~ 160 on wasm (192:
 * 18 vs 11) and ~ 450 on js (384: 142 vs 186, 512: 580 vs 448), and lose by 2.6x (js) and 13x (wasm) at
 * 1024, where their column-wise sweeps leave the cache. Tests lower the thresholds and widths.
 */
export const qrBlocking = {
  block: 64,
  panel: 64,
  from: { webgpu: 256, wasm: 192, js: 512 } as Record<string, number>,
};

/** Whether m x n matrices on this context take the blocked QR. */
export const useBlockedQr = (ctx: Context, m: number, n: number): boolean =>
  Math.min(m, n) >= (qrBlocking.from[ctx.engine.name] ?? Infinity);

/** The compact WY form of a block of reflectors, H_1 ... H_w = I - V T V^T, and the block's R. */
interface Factored {
  /** (B, rows, w): unit lower trapezoidal. */
  V: Tensor;
  /** (B, w, w): upper triangular. */
  T: Tensor;
  /** (B, w, w): upper triangular, its diagonal >= 0. */
  R: Tensor;
}

/** What one panel step hands on: its block row of R, its reflectors, the trailing matrix. */
interface QrStep {
  [k: string]: Tensor | null;
  rowBlock: Tensor;
  V: Tensor;
  T: Tensor;
  trailing: Tensor | null;
}

/** X - V (T (V^T X)) for V (B, r, b), T (B, b, b) and X (B or none, r, c): three matmuls; `transposeT` uses T^T. */
function applyReflectors(V: Tensor, T: Tensor, X: Tensor, transposeT: boolean): Tensor {
  const W = matmulCore(T, matmulCore(V, X, true), transposeT);
  return X.sub(V.matmul(W));
}

/**
 * Householder QR of A (B, rows, w), rows >= w, in compact WY form (call inside a tidy scope): the panel
 * kernel where w <= qrBlocking.panel, else recursively (Elmroth and Gustavson): the left half, its
 * reflectors applied to the right half, whose rows below the left half's are factored in turn; then
 * V = [V1 V2], R = [R1 R12; 0 R2] and T = [T1 -T1 (V1^T V2) T2; 0 T2].
 */
function factorBlock(A: Tensor): Factored {
  const ctx = A.ctx;
  const [B, rows, w] = A.shape;
  const nb = qrBlocking.panel;
  if (w <= nb) {
    const f = ctx.engine.qrPanel(storageOf('linalg.qr', ctx, A), B, rows, w);
    return { V: ctx.wrap(f.v, [B, rows, w]), T: ctx.wrap(f.t, [B, w, w]), R: ctx.wrap(f.r, [B, w, w]) };
  }
  const w1 = nb * Math.ceil(w / 2 / nb);
  const w2 = w - w1;
  const left = factorBlock(block(A, 0, rows, 0, w1));
  const right = applyReflectors(left.V, left.T, block(A, 0, rows, w1, w), true);
  const bottom = factorBlock(block(right, w1, rows, 0, w2));
  // V2 is zero in the left half's rows, so V1^T V2 needs only the rows below them.
  const V1V2 = matmulCore(block(left.V, w1, rows, 0, w1), bottom.V, true);
  const T12 = left.T.matmul(V1V2).matmul(bottom.T).neg();
  return {
    V: ctx.concat([left.V, ctx.concat([ctx.zeros([B, w1, w2]), bottom.V], 1)], 2),
    T: ctx.concat([ctx.concat([left.T, T12], 2), ctx.concat([ctx.zeros([B, w2, w1]), bottom.T], 2)], 1),
    R: ctx.concat(
      [
        ctx.concat([left.R, block(right, 0, w1, 0, w2)], 2),
        ctx.concat([ctx.zeros([B, w2, w1]), bottom.R], 2),
      ],
      1,
    ),
  };
}

/**
 * Reduced QR of A (B, m, n), k = min(m, n): Q (B, m, k), R (B, k, n) with R's diagonal >= 0 (each
 * reflector maps its column to a non-negative multiple of e_0, as qr()'s kernels do). Per block of width
 * b at column j0: [V, T, R11] from factorBlock on the trailing matrix's first b columns, then the rest
 * of those rows, A2 <- H_b ... H_1 A2 = A2 - V T^T V^T A2, gives R12 (its first b rows) and the next
 * trailing matrix (the others).
 */
export function blockedQr(a: Tensor): { q: Tensor; r: Tensor } {
  const ctx = a.ctx;
  const [B, m, n] = a.shape;
  const k = Math.min(m, n);
  const nb = qrBlocking.block;
  return untracked(ctx, () => {
    let trailing: Tensor | null = null; // (B, m - j0, n - j0), the input itself at first
    const rowBlocks: Tensor[] = [];
    const reflectors: { j0: number; V: Tensor; T: Tensor }[] = [];
    for (let j0 = 0; j0 < k; j0 += nb) {
      const A: Tensor = trailing ?? a;
      const rows = m - j0;
      const cols = n - j0;
      const b = Math.min(nb, k - j0);
      const s: QrStep = step(ctx, [trailing], (): QrStep => {
        const { V, T, R: R11 } = factorBlock(block(A, 0, rows, 0, b));
        const left = j0 > 0 ? [ctx.zeros([B, b, j0])] : [];
        if (cols === b) return { rowBlock: ctx.concat([...left, R11], 2), V, T, trailing: null };
        const A2 = applyReflectors(V, T, block(A, 0, rows, b, cols), true);
        return {
          rowBlock: ctx.concat([...left, R11, block(A2, 0, b, 0, cols - b)], 2),
          V,
          T,
          trailing: rows > b ? block(A2, b, rows, 0, cols - b) : null,
        };
      });
      rowBlocks.push(s.rowBlock);
      reflectors.push({ j0, V: s.V, T: s.T });
      trailing = s.trailing;
    }
    const r = rowBlocks.length === 1 ? rowBlocks[0] : ctx.concat(rowBlocks, 1);
    if (rowBlocks.length > 1) rowBlocks.forEach((t) => t.dispose());
    // Q = H_1 ... H_k I[:, :k], the blocks applied last first. Block j touches only rows and columns j0..
    // (what the later blocks made of the identity there is I_b beside C): C <- (I - V T V^T) [I_b 0; 0 C].
    let C: Tensor | null = null; // (B or none, m - j0, k - j0)
    for (const { j0, V, T } of reflectors.reverse()) {
      const rows = m - j0;
      const kc = k - j0;
      const prev: Tensor | null = C;
      const next: { C: Tensor } = step(ctx, [prev, V, T], () => {
        const b = V.shape[2];
        const top = ctx.eye(b, kc).pad([
          [0, rows - b],
          [0, 0],
        ]);
        const C0 = prev
          ? prev
              .pad([
                [0, 0],
                [b, 0],
                [b, 0],
              ])
              .add(top)
          : top;
        return { C: applyReflectors(V, T, C0, false) };
      });
      C = next.C;
    }
    return { q: C!, r };
  });
}
