// Blocked factorisations of large matrices, LAPACK's way: right-looking Cholesky and LU with partial
// pivoting in column panels of `blocking.block`. A backend kernel factors each panel, and the trailing
// matrix, where nearly all the FLOPs are, is updated by gradbox's own matmul. The kernels that factor a
// whole matrix in one workgroup stop being fast past workgroup memory (64 x 64), so WebGPU takes this
// path beyond it. Forward passes only: the callers record their gradients in terms of the results.
import { untracked } from '../autodiff';
import type { TriangularSolveOptions } from '../backends/backend';
import type { Context } from '../context';
import { storageOf } from '../ops/inputs';
import type { Tensor } from '../tensor';
import { mT } from './common';

/**
 * @internal The panel width and, per backend, the smallest n that is factored blocked. Neither CPU
 * backend switches: js's loops accumulate in float64 and measured faster than its matmul-based blocks,
 * and wasm factors recursively in its own memory with in-place matmuls (src/backends/wasm/linalg.ts),
 * measured 5-15x faster than these blocks from n = 128 to 2048. Tests lower the thresholds to run the
 * blocked path there too.
 */
export const blocking = {
  block: 64,
  from: { webgpu: 65, js: Infinity, wasm: Infinity } as Record<string, number>,
};

/** Whether n x n matrices on this context take the blocked path. */
export const useBlocked = (ctx: Context, n: number): boolean =>
  n >= (blocking.from[ctx.engine.name] ?? Infinity);

/** Rows of each matrix of x (B, m, c) taken in the order idx (B, k): out[z, i] = x[z, idx[z, i]], (B, k, c). */
export function rowsOf(x: Tensor, idx: Tensor): Tensor {
  const [B, m, c] = x.shape;
  const k = idx.shape[1];
  const ctx = x.ctx;
  return ctx.tidy(() => {
    const offsets = ctx.arange(B).mul(m).reshape([B, 1]);
    const flat = idx.add(offsets).reshape([B * k]);
    return x
      .reshape([B * m, c])
      .gather(flat, 0)
      .reshape([B, k, c]);
  });
}

/** x[:, r0:r1, c0:c1] of a (B, rows, cols) tensor: a copy. */
export const block = (x: Tensor, r0: number, r1: number, c0: number, c1: number) =>
  x.slice([0, r0, c0], [x.shape[0], r1, c1]);

/** op(A)^-1 B for A (B, n, n) and B (B, n, k) by the backend's substitution kernel. */
function substitute(a: Tensor, b: Tensor, o: TriangularSolveOptions): Tensor {
  const ctx = a.ctx;
  const [B, n] = a.shape;
  const storage = ctx.engine.triangularSolve(
    storageOf('linalg.triangularSolve', ctx, a),
    storageOf('linalg.triangularSolve', ctx, b),
    B,
    n,
    b.shape[2],
    o,
  );
  return ctx.wrap(storage, b.shape);
}

/**
 * The inverses of triangular diagonal blocks A (B, b, b), b <= the panel width: the substitution kernel
 * gives one column per invocation, too few to keep a device busy, so the blocked paths solve with a
 * block by multiplying by its inverse (a matmul) instead. For the well-conditioned diagonal blocks of a
 * factorisation this costs little accuracy (Higham, Accuracy and Stability, section 13.2).
 */
function triangularInverse(a: Tensor, lower: boolean, unitDiagonal: boolean): Tensor {
  const ctx = a.ctx;
  const [B, b] = a.shape;
  return ctx.tidy(() => {
    const eye = ctx.eye(b).reshape([1, b, b]).broadcastTo([B, b, b]);
    return substitute(a, eye, { lower, transpose: false, unitDiagonal });
  });
}

/** What one step of blockedCholesky hands to the next: its column panel of L, info, the trailing matrix. */
interface CholeskyStep {
  [k: string]: Tensor | null;
  panel: Tensor;
  info: Tensor;
  trailing: Tensor | null;
}

/** What one step of blockedLu hands to the next (see there). */
interface LuStep {
  [k: string]: Tensor | null;
  rowBlock: Tensor | null;
  permBlock: Tensor;
  trailing: Tensor | null;
  left: Tensor | null;
  rows: Tensor | null;
  sign: Tensor;
}

/** What one step of blockedTriangularSolve hands to the next: its block of X, the rows left to solve. */
interface SolveStep {
  [k: string]: Tensor | null;
  X: Tensor;
  rest: Tensor | null;
}

/** Runs one step in a tidy scope, frees what it replaces and submits, so few trailing matrices live at once. */
export function step<T extends Record<string, Tensor | null>>(
  ctx: Context,
  replaced: (Tensor | null)[],
  body: () => T,
): T {
  const out = ctx.tidy(() => body() as never) as T;
  for (const t of replaced) t?.dispose();
  // Submitting per step lets the pool hand this step's freed buffers to the next one (they are reused
  // only after a submit); one submit for the whole factorisation would hold every step's at once.
  ctx.flush();
  return out;
}

/**
 * Cholesky factors of A (B, n, n), blocked: per panel of width b, L11 = chol(A11) by the backend kernel,
 * L21 = A21 L11^-T by a triangular solve, then A22 -= L21 L21^T by matmul. Returns L (B, n, n) and
 * info (B): -1, or the first pivot that is not positive (a failed block makes the rest NaN, so the first
 * failure is the one kept).
 */
export function blockedCholesky(a: Tensor): { L: Tensor; info: Tensor } {
  const ctx = a.ctx;
  const [B, n] = a.shape;
  const nb = blocking.block;
  return untracked(ctx, () => {
    let trailing: Tensor | null = null; // A22 after the updates so far; the input itself at first
    let info: Tensor = ctx.full([B], -1);
    const panels: Tensor[] = [];
    for (let k0 = 0; k0 < n; k0 += nb) {
      const T: Tensor = trailing ?? a;
      const m = n - k0;
      const b = Math.min(nb, m);
      const r: CholeskyStep = step(ctx, [trailing, info], (): CholeskyStep => {
        const A11 = block(T, 0, b, 0, b);
        const f = ctx.engine.cholesky(storageOf('linalg.cholesky', ctx, A11), B, b);
        const L11 = ctx.wrap(f.factor, [B, b, b]);
        const here = ctx.wrap(f.info, [B]);
        const failedHere = here.greaterEqual(0).where(here.add(k0), -1);
        const next = info.greaterEqual(0).where(info, failedHere);
        const parts = k0 > 0 ? [ctx.zeros([B, k0, b]), L11] : [L11];
        if (m === b) return { panel: ctx.concat(parts, 1), info: next, trailing: null };
        // L21 = A21 L11^-T, then the trailing update by one matmul.
        const L21 = block(T, b, m, 0, b).matmul(mT(triangularInverse(L11, true, false)));
        const A22: Tensor = block(T, b, m, b, m).sub(L21.matmul(mT(L21)));
        return { panel: ctx.concat([...parts, L21], 1), info: next, trailing: A22 };
      });
      panels.push(r.panel);
      info = r.info;
      trailing = r.trailing;
    }
    const L = panels.length === 1 ? panels[0] : ctx.concat(panels, 2);
    if (panels.length > 1) panels.forEach((p) => p.dispose());
    return { L, info };
  });
}

/**
 * P A = L U of A (B, n, n) with partial pivoting, blocked: per panel of width b, the tall panel (the
 * trailing rows' first b columns) is factored by the backend's panel kernel, its row order applied to
 * the rest of those rows (and to the L columns already made), U12 = L11^-1 A12 by a unit triangular
 * solve, then A22 -= L21 U12 by matmul. Returns what lu() returns: packed L\U (B, n, n), perm (B, n),
 * sign (B).
 */
export function blockedLu(a: Tensor): { lu: Tensor; perm: Tensor; sign: Tensor } {
  const ctx = a.ctx;
  const [B, n] = a.shape;
  const nb = blocking.block;
  return untracked(ctx, () => {
    let trailing: Tensor | null = null; // the trailing rows and columns, in the current row order
    let left: Tensor | null = null; // (B, m, k0): the L columns made so far, for the trailing rows
    let rows: Tensor = ctx.tidy(() => ctx.arange(n).reshape([1, n]).broadcastTo([B, n])); // rows of A
    let sign: Tensor = ctx.ones([B]);
    const rowBlocks: Tensor[] = [];
    const permBlocks: Tensor[] = [];
    for (let k0 = 0; k0 < n; k0 += nb) {
      const T: Tensor = trailing ?? a;
      const m = n - k0;
      const b = Math.min(nb, m);
      const r: LuStep = step(ctx, [trailing, left, rows, sign], (): LuStep => {
        const f = ctx.engine.luPanel(storageOf('linalg.lu', ctx, block(T, 0, m, 0, b)), B, m, b);
        const P = ctx.wrap(f.lu, [B, m, b]);
        const order = ctx.wrap(f.perm, [B, m]);
        const nextSign = sign.mul(ctx.wrap(f.sign, [B]));
        const ordered = rowsOf(rows.reshape([B, m, 1]), order).reshape([B, m]);
        const L = left ? rowsOf(left, order) : null;
        const top: Tensor[] = [...(L ? [block(L, 0, b, 0, k0)] : []), block(P, 0, b, 0, b)];
        const out: LuStep = {
          rowBlock: null,
          permBlock: block(ordered.reshape([B, m, 1]), 0, b, 0, 1).reshape([B, b]),
          trailing: null,
          left: null,
          rows: null,
          sign: nextSign,
        };
        if (m === b) {
          out.rowBlock = top.length === 1 ? top[0] : ctx.concat(top, 2);
          return out;
        }
        const rest = rowsOf(block(T, 0, m, b, m), order); // (B, m, m - b)
        const L21 = block(P, b, m, 0, b);
        const U12 = triangularInverse(block(P, 0, b, 0, b), true, true).matmul(block(rest, 0, b, 0, m - b));
        out.rowBlock = ctx.concat([...top, U12], 2);
        out.trailing = block(rest, b, m, 0, m - b).sub(L21.matmul(U12));
        out.left = L ? ctx.concat([block(L, b, m, 0, k0), L21], 2) : L21;
        out.rows = block(ordered.reshape([B, m, 1]), b, m, 0, 1).reshape([B, m - b]);
        return out;
      });
      rowBlocks.push(r.rowBlock!);
      permBlocks.push(r.permBlock);
      trailing = r.trailing;
      left = r.left;
      rows = r.rows ?? rows;
      sign = r.sign;
    }
    const lu = ctx.concat(rowBlocks, 1);
    const perm = ctx.concat(permBlocks, 1);
    [...rowBlocks, ...permBlocks].forEach((t) => t.dispose());
    return { lu, perm, sign };
  });
}

/**
 * op(A)^-1 B for triangular A (B, n, n) and B (B, n, k), blocked: block row by block row in the order
 * of substitution, X_i = inv(op(A)_ii) R_i, then the rows still to solve lose op(A)_ji X_i (a matmul).
 * `lower` names op(A)'s triangle, as the kernel's options do.
 */
export function blockedTriangularSolve(a: Tensor, b: Tensor, o: TriangularSolveOptions): Tensor {
  const ctx = a.ctx;
  const n = a.shape[1];
  const k = b.shape[2];
  const nb = blocking.block;
  return untracked(ctx, () => {
    const M = o.transpose ? mT(a) : a; // op(A)
    const starts: number[] = [];
    for (let r0 = 0; r0 < n; r0 += nb) starts.push(r0);
    if (!o.lower) starts.reverse();
    const solved = new Map<number, Tensor>();
    let rest: Tensor | null = null; // the rows not solved yet: below (lower) or above (upper) the block
    for (const r0 of starts) {
      const r1 = Math.min(r0 + nb, n);
      const R: Tensor = rest ?? b;
      // Rows of R: r0.. for lower (R starts at r0), ..r1 for upper (R ends at r1).
      const [lo, hi] = o.lower ? [0, r1 - r0] : [r0, r1];
      const r: SolveStep = step(ctx, [rest], (): SolveStep => {
        const X = triangularInverse(block(M, r0, r1, r0, r1), o.lower, o.unitDiagonal).matmul(
          block(R, lo, hi, 0, k),
        );
        const others = o.lower ? [r1, n] : [0, r0];
        if (others[0] === others[1]) return { X, rest: null };
        const update = block(M, others[0], others[1], r0, r1).matmul(X);
        const remaining = o.lower ? block(R, r1 - r0, n - r0, 0, k) : block(R, 0, r0, 0, k);
        return { X, rest: remaining.sub(update) };
      });
      solved.set(r0, r.X);
      rest = r.rest;
    }
    if (M !== a) M.dispose();
    const parts = [...solved.keys()].sort((x, y) => x - y).map((r0) => solved.get(r0)!);
    const X = parts.length === 1 ? parts[0] : ctx.concat(parts, 1);
    if (parts.length > 1) parts.forEach((p) => p.dispose());
    return X;
  });
}
