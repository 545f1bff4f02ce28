// Building blocks for linear algebra: dot, outer, einsum, diag, triu/tril, cdist. Each is a composition
// of recorded ops (matmul, transpose, reshape, sum, where, the strided reads and writes of shape.ts), so
// its gradient, and the gradient of that gradient, come from those ops' rules.
import { untracked } from '../autodiff';
import { describe, fmtShape, GradboxError } from '../errors';
import { stridesOf } from '../shape';
import type { Tensor } from '../tensor';
import { storageOf } from './inputs';
import { dropTemps, stridedRead, stridedWrite } from './shape';

/** Inner product of two vectors of one length: a scalar. */
export function dot(x: Tensor, y: Tensor): Tensor {
  const op = 'dot';
  storageOf(op, x.ctx, x);
  storageOf(op, x.ctx, y);
  if (x.shape.length !== 1 || y.shape.length !== 1 || x.shape[0] !== y.shape[0]) {
    throw new GradboxError(
      `${op}: needs two vectors of one length, got ${fmtShape(x.shape)} . ${fmtShape(y.shape)}; ` +
        'use matmul() for matrices, or reshape([-1]) to flatten',
    );
  }
  return x.matmul(y);
}

/** Outer product: out[i, j] = x[i] * y[j], with both operands flattened as in NumPy. */
export function outer(x: Tensor, y: Tensor): Tensor {
  const op = 'outer';
  storageOf(op, x.ctx, x);
  storageOf(op, x.ctx, y);
  const col = x.reshape([x.size, 1]);
  const row = y.reshape([1, y.size]);
  const out = col.mul(row); // one rounding per element, exact like NumPy's
  dropTemps([out, x, y], [col, row]);
  return out;
}

/**
 * Matrix -> its k-th diagonal (k > 0 above the main one, k < 0 below); vector -> a square matrix with the
 * vector on its k-th diagonal. Strided reads and writes, so the gradient of one is the other.
 */
export function diag(x: Tensor, k = 0): Tensor {
  const op = 'diag';
  storageOf(op, x.ctx, x);
  if (typeof k !== 'number' || !Number.isInteger(k)) {
    throw new GradboxError(`${op}: k must be an integer (the diagonal's offset), got ${describe(k)}`);
  }
  if (x.shape.length === 1) {
    const N = x.shape[0] + Math.abs(k);
    return stridedWrite(op, x, [N, N], 0, k >= 0 ? k : -k * N, [N + 1]);
  }
  if (x.shape.length === 2) {
    const [n, m] = x.shape;
    const len = Math.max(0, k >= 0 ? Math.min(n, m - k) : Math.min(n + k, m));
    return stridedRead(op, x, len === 0 ? 0 : k >= 0 ? k : -k * m, [m + 1], [len]);
  }
  throw new GradboxError(
    `${op}: needs a vector (to build a diagonal matrix) or a matrix (to take its diagonal), got shape ` +
      `${fmtShape(x.shape)}; for batches use einsum('...ii->...i') style reshapes or slice per matrix`,
  );
}

/** Keeps the elements on and above (triu) or on and below (tril) the k-th diagonal of the last two axes. */
export function triangle(which: 'triu' | 'tril', x: Tensor, k = 0): Tensor {
  const ctx = x.ctx;
  storageOf(which, ctx, x);
  if (typeof k !== 'number' || !Number.isInteger(k)) {
    throw new GradboxError(`${which}: k must be an integer (the diagonal's offset), got ${describe(k)}`);
  }
  if (x.shape.length < 2) {
    throw new GradboxError(
      `${which}: needs a matrix or a batch of matrices (rank >= 2), got shape ${fmtShape(x.shape)}`,
    );
  }
  const [n, m] = x.shape.slice(-2);
  // mask[i, j] = (j - i >= k) for triu, (j - i <= k) for tril: integers, exact in float32.
  const mask = untracked(ctx, () => {
    const r = ctx.arange(n);
    const rows = r.reshape([n, 1]);
    const cols = ctx.arange(m);
    const diff = cols.sub(rows);
    const keep = which === 'triu' ? diff.greaterEqual(k) : diff.lessEqual(k);
    for (const t of [r, rows, cols, diff]) t.dispose();
    return keep;
  });
  // where, not mul: masked-out Inf and NaN become 0 as in NumPy, and the rule routes g through the mask.
  const out = mask.where(x, 0);
  dropTemps([out], [mask]);
  return out;
}

/**
 * Euclidean distances between the rows of a (n,d) and b (m,d): (n,m), through |a|^2 + |b|^2 - 2 a b^T
 * (one matmul), clamped at 0 before the square root. The gradient is 0 where the distance is 0 (and where
 * rounding made the squared distance <= 0): there the distance is a cone and has no derivative, and 0 is
 * the choice that keeps training finite (PyTorch's cdist makes the same one). Rows that are equal but
 * whose squared norms round differently can leave a squared distance of ~1e-7 |a|^2 instead of 0: the
 * distance is then ~3e-4 |a| instead of 0, and its gradient is finite but need not be 0.
 */
export function cdist(a: Tensor, b: Tensor): Tensor {
  const op = 'cdist';
  storageOf(op, a.ctx, a);
  storageOf(op, a.ctx, b);
  if (a.shape.length !== 2 || b.shape.length !== 2 || a.shape[1] !== b.shape[1]) {
    throw new GradboxError(
      `${op}: needs two matrices of row vectors with one width, (n,d) and (m,d), got ${fmtShape(a.shape)} ` +
        `and ${fmtShape(b.shape)}; reshape single points to (1,d)`,
    );
  }
  const m = b.shape[0];
  const temps: Tensor[] = [];
  const t = <T extends Tensor>(x: T): T => {
    temps.push(x);
    return x;
  };
  const aa = t(t(a.square()).sum(1, true)); // (n,1)
  const bb = t(t(t(b.square()).sum(1)).reshape([1, m])); // (1,m)
  const bt = t(b.transpose());
  const ab = t(a.matmul(bt)); // (n,m)
  const d2 = t(t(aa.add(bb)).sub(t(ab.mul(2))));
  // The double where keeps the gradient finite: sqrt sees 1 (not 0) where the distance is 0, and the
  // outer where sends no gradient there.
  const positive = t(d2.greater(0));
  const root = t(t(positive.where(d2, 1)).sqrt());
  const out = positive.where(root, 0);
  dropTemps([out, a, b], temps);
  return out;
}

// einsum ------------------------------------------------------------------------------------------

interface Spec {
  inputs: string[][];
  output: string[];
}

function parseEinsum(spec: unknown, count: number): Spec {
  const op = 'einsum';
  if (typeof spec !== 'string') {
    throw new GradboxError(`${op}: the spec must be a string like 'ij,jk->ik', got ${describe(spec)}`);
  }
  const s = spec.replace(/\s+/g, '');
  if (s.includes('...')) {
    throw new GradboxError(
      `${op}: ellipsis ('...') is not supported, got '${spec}'; name every axis with a letter`,
    );
  }
  const parts = s.split('->');
  if (parts.length > 2) {
    throw new GradboxError(`${op}: the spec '${spec}' has more than one '->'; expected e.g. 'ij,jk->ik'`);
  }
  const inputs = parts[0].split(',');
  if (!/^[a-zA-Z,]*(->[a-zA-Z]*)?$/.test(s)) {
    throw new GradboxError(
      `${op}: the spec '${spec}' may hold only letters (one per axis), ',' between operands and one '->'`,
    );
  }
  if (count < 1 || count > 2) {
    throw new GradboxError(`${op}: takes one or two operands, got ${count}; chain einsum calls for more`);
  }
  if (inputs.length !== count) {
    throw new GradboxError(
      `${op}: the spec '${spec}' names ${inputs.length} operand(s) but ${count} tensor(s) were given`,
    );
  }
  const labels = inputs.map((x) => [...x]);
  let output: string[];
  if (parts.length === 2) {
    output = [...parts[1]];
    const seen = new Set<string>();
    for (const c of output) {
      if (seen.has(c)) throw new GradboxError(`${op}: output label '${c}' appears twice in '${spec}'`);
      seen.add(c);
      if (!labels.some((l) => l.includes(c))) {
        throw new GradboxError(
          `${op}: output label '${c}' in '${spec}' appears in no operand; every output axis must come from an input`,
        );
      }
    }
  } else {
    // NumPy's implicit mode: the labels that appear exactly once, in alphabetical order.
    const all = labels.flat();
    output = [...new Set(all)].filter((c) => all.indexOf(c) === all.lastIndexOf(c)).sort();
  }
  return { inputs: labels, output };
}

/**
 * Einstein summation over one or two operands, lowered to diagonals (a label repeated in one operand),
 * sums, transposes, reshapes and one batched matmul: 'ij,jk->ik', 'bij,bjk->bik', 'ij,j->i', 'i,i->',
 * 'ij->ji', 'ii->i', 'ii->', 'ij->', 'i,j->ij' ...
 */
export function einsum(spec: string, ts: readonly Tensor[]): Tensor {
  const op = 'einsum';
  const { inputs, output } = parseEinsum(spec, ts.length);
  const ctx = ts[0].ctx;
  ts.forEach((t) => storageOf(op, ctx, t));
  const temps: Tensor[] = [];
  const size = new Map<string, number>();
  inputs.forEach((labels, i) => {
    const t = ts[i];
    if (labels.length !== t.shape.length) {
      throw new GradboxError(
        `${op}: operand ${i} has shape ${fmtShape(t.shape)} (rank ${t.shape.length}) but '${labels.join('')}' ` +
          `in '${spec}' names ${labels.length} axes; give one letter per axis`,
      );
    }
    labels.forEach((c, a) => {
      const d = t.shape[a];
      const had = size.get(c);
      if (had !== undefined && had !== d) {
        throw new GradboxError(
          `${op}: label '${c}' in '${spec}' stands for axes of different lengths (${had} and ${d}, operand ${i} ` +
            `${fmtShape(t.shape)}); every axis with one label must have one length`,
        );
      }
      size.set(c, d);
    });
  });

  // 1. Per operand: a repeated label takes the diagonal (one strided read), then labels needed neither by
  //    the output nor by the other operand are summed away.
  const ops = inputs.map((labels, i) => {
    let t = ts[i];
    let own = [...new Set(labels)];
    if (own.length < labels.length) {
      const strides = stridesOf(t.shape);
      const merged = own.map((c) => labels.reduce((s, l, a) => (l === c ? s + strides[a] : s), 0));
      t = stridedRead(
        op,
        t,
        0,
        merged,
        own.map((c) => size.get(c)!),
      );
      temps.push(t);
    }
    const other = inputs[1 - i] ?? [];
    const gone = own.flatMap((c, a) => (!output.includes(c) && !other.includes(c) ? [a] : []));
    if (gone.length > 0) {
      t = t.sum(gone);
      temps.push(t);
      own = own.filter((_, a) => !gone.includes(a));
    }
    return { t, labels: own };
  });

  const permute = (t: Tensor, from: string[], to: string[]): Tensor => {
    const perm = to.map((c) => from.indexOf(c));
    if (perm.every((p, i) => p === i)) return t;
    const y = t.transpose(perm);
    temps.push(y);
    return y;
  };
  const dims = (ls: string[]) => ls.map((c) => size.get(c)!);
  const prod = (ls: string[]) => dims(ls).reduce((p, d) => p * d, 1);

  let out: Tensor;
  if (ops.length === 1) {
    out = permute(ops[0].t, ops[0].labels, output);
  } else {
    // 2. Two operands: batch labels (both, kept), contracted (both, summed), left-only and right-only.
    const [A, B] = ops;
    const batch = output.filter((c) => A.labels.includes(c) && B.labels.includes(c));
    const left = output.filter((c) => A.labels.includes(c) && !B.labels.includes(c));
    const right = output.filter((c) => B.labels.includes(c) && !A.labels.includes(c));
    const contract = A.labels.filter((c) => B.labels.includes(c) && !output.includes(c));
    const a3 = permute(A.t, A.labels, [...batch, ...left, ...contract]).reshape([
      prod(batch),
      prod(left),
      prod(contract),
    ]);
    const b3 = permute(B.t, B.labels, [...batch, ...contract, ...right]).reshape([
      prod(batch),
      prod(contract),
      prod(right),
    ]);
    const c3 = a3.matmul(b3); // (batch, left, right)
    const c = c3.reshape(dims([...batch, ...left, ...right]));
    temps.push(a3, b3, c3, c);
    out = permute(c, [...batch, ...left, ...right], output);
  }
  // A result that is an input or a view of one would share its storage: einsum returns a tensor of its own.
  if (ts.includes(out)) out = out.reshape(out.shape);
  dropTemps([out, ...ts], temps);
  return out;
}
