// The unblocked kernels of the wasm backend's factorisations (src/backends/wasm/linalg.ts recurses down to
// them and does the rest with matmul): an LU panel with partial pivoting and its row swaps, a small
// Cholesky, and triangular substitution for many right-hand sides or along vectors. Rows are contiguous float32; SIMD runs
// along them, four columns at a time.
import {
  type Code,
  f32,
  f32x4,
  f32Addr,
  forRange,
  get,
  i32,
  ifElse,
  type FunctionBuilder,
  type Local,
  type ModuleBuilder,
  ret,
  select,
  seq,
  set,
  v128,
} from '../assembler';

const c = i32.const;
const add = i32.add;
const mul = i32.mul;
const at = (base: Local, i: Code): Code => f32Addr(get(base), i);

/**
 * for k in [from, to): `vec(k)` on four elements while k + 4 <= to, then `one(k)` on the rest. `to` is
 * read once per step, so it should be a local.
 */
function alongRow(k: Local, from: Code, to: Local, vec: Code, one: Code): Code {
  return seq(forRange(k, from, i32.sub(get(to), c(3)), 4, vec), forRange(k, get(k), get(to), 1, one));
}

/** dst[k] -= s * src[k] for k in [from, to): `sNeg` holds -s in four lanes, `s` the scalar. */
function subtractScaled(
  f: FunctionBuilder,
  k: Local,
  from: Code,
  to: Local,
  dst: Local,
  src: Local,
  s: Local,
  sNeg: Local,
): Code {
  return alongRow(
    k,
    from,
    to,
    v128.store(at(dst, get(k)), f.madd(get(sNeg), v128.load(at(src, get(k))), v128.load(at(dst, get(k))))),
    f32.store(
      at(dst, get(k)),
      f32.sub(f32.load(at(dst, get(k))), f32.mul(get(s), f32.load(at(src, get(k))))),
    ),
  );
}

/** row[k] /= d for k in [from, to), `dv` holding d in four lanes. */
function divideRow(k: Local, from: Code, to: Local, row: Local, d: Local, dv: Local): Code {
  return alongRow(
    k,
    from,
    to,
    v128.store(at(row, get(k)), f32x4.div(v128.load(at(row, get(k))), get(dv))),
    f32.store(at(row, get(k)), f32.div(f32.load(at(row, get(k))), get(d))),
  );
}

/**
 * `sum` = x[from:to] . y[from:to] (byte addresses x, y): four lanes of products, then the lanes and the
 * tail added. acc and tail are scratch locals.
 */
function dot(
  f: FunctionBuilder,
  k: Local,
  from: Code,
  to: Local,
  x: Local,
  y: Local,
  acc: Local,
  tail: Local,
  sum: Local,
): Code {
  const lane = (q: number) => f32x4.extractLane(get(acc), q);
  return seq(
    set(acc, f32x4.const(0)),
    set(tail, f32.const(0)),
    alongRow(
      k,
      from,
      to,
      set(acc, f.madd(v128.load(at(x, get(k))), v128.load(at(y, get(k))), get(acc))),
      set(tail, f32.add(get(tail), f32.mul(f32.load(at(x, get(k))), f32.load(at(y, get(k)))))),
    ),
    set(sum, f32.add(f32.add(f32.add(lane(0), lane(1)), f32.add(lane(2), lane(3))), get(tail))),
  );
}

/** Swaps rows x and y (byte addresses) over `width` elements; t and ts are scratch locals. */
function swapRows(k: Local, width: Local, x: Local, y: Local, t: Local, ts: Local): Code {
  const one = (p: Code, q: Code) =>
    seq(set(ts, f32.load(p)), f32.store(p, f32.load(q)), f32.store(q, get(ts)));
  return alongRow(
    k,
    c(0),
    width,
    seq(
      set(t, v128.load(at(x, get(k)))),
      v128.store(at(x, get(k)), v128.load(at(y, get(k)))),
      v128.store(at(y, get(k)), get(t)),
    ),
    one(at(x, get(k)), at(y, get(k))),
  );
}

/**
 * Adds the kernels (addresses and strides in bytes; matrices row-major, rows `ld` bytes apart):
 * - lu_panel(a, ld, width, m, k0, w, perm, pivots) -> swaps: P A = L U over columns [k0, k0 + w) and
 *   rows [k0, m) of the matrix at a, in place, as src/backends/cpu/linalg.ts's luPanel: in column j the
 *   pivot is the first row of largest |a(i, j)|, i >= j; its whole row (`width` elements) swaps with row
 *   j, as do perm[j] and perm[pivot] (float32 row numbers); a zero pivot leaves the column as it is.
 *   pivots[j - k0] (int32) gets the pivot's row. Returns the number of swaps.
 * - swap_rows(a, ld, width, pivots, count): for j in [0, count), swaps rows j and pivots[j] of a over
 *   `width` elements (lu_panel's swaps, replayed on the rest of the matrix).
 * - copy_block(src, sld, dst, dld, rows, cols): dst(i, j) = src(i, j).
 * - chol_lower(a, ld, n) -> info: A = L L^T of the n x n block at a, L lower in place (only the lower
 *   triangle is read or written); -1, or the first pivot that is not positive (the block is then part-done).
 * - trsm_left(a, ars, acs, b, ldb, n, k, lower, unit): B = op(A)^-1 B in place for n x k B, op(A)(i, j) at
 *   a + i*ars + j*acs, `lower` naming its triangle, `unit` taking its diagonal as ones.
 * - trsv(a, ars, acs, x, ldx, count, n, lower, unit): x = op(A)^-1 x for `count` vectors x of n elements
 *   (ldx bytes apart), op(A) as in trsm_left with rows (acs = 4: dot products) or columns (ars = 4:
 *   updates of the rest of x) contiguous. For vectors that are the rows of X, this is X = X op(A)^-T.
 * - trsm_right_lt(l, ldl, b, ldb, m, n, scratch): B = B L^-T in place for lower L (n, n) and B (m, n), m a
 *   multiple of 4: trsv's along rows of L for four rows of B at once, one per lane (their columns gathered
 *   into `scratch`, 16 n bytes), so the sums need no adding of lanes.
 */
export function addLinalg(m: ModuleBuilder): void {
  m.func(
    'lu_panel',
    ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'],
    'i32',
    (f, a, ld, width, rows, k0, w, perm, pivots) => {
      const j = f.local('i32');
      const jEnd = f.local('i32');
      const cEnd = f.local('i32');
      const i = f.local('i32');
      const k = f.local('i32');
      const piv = f.local('i32');
      const swaps = f.local('i32');
      const rowJ = f.local('i32');
      const rowI = f.local('i32');
      const best = f.local('f32');
      const v = f.local('f32');
      const d = f.local('f32');
      const l = f.local('f32');
      const lNeg = f.local('v128');
      const t = f.local('v128');
      const ts = f.local('f32');
      const rowOf = (r: Code) => add(get(a), mul(r, get(ld)));
      const swapOne = (x: Code, y: Code) =>
        seq(set(ts, f32.load(x)), f32.store(x, f32.load(y)), f32.store(y, get(ts)));
      return seq(
        set(cEnd, add(get(k0), get(w))),
        set(jEnd, select(get(cEnd), get(rows), i32.ltS(get(cEnd), get(rows)))),
        forRange(
          j,
          get(k0),
          get(jEnd),
          1,
          set(rowJ, rowOf(get(j))),
          // The first row of largest |a(i, j)|: a later row replaces it only when strictly larger.
          set(piv, get(j)),
          set(best, f32.abs(f32.load(at(rowJ, get(j))))),
          forRange(
            i,
            add(get(j), c(1)),
            get(rows),
            1,
            set(v, f32.abs(f32.load(f32Addr(rowOf(get(i)), get(j))))),
            ifElse(f32.gt(get(v), get(best)), seq(set(best, get(v)), set(piv, get(i)))),
          ),
          i32.store(f32Addr(get(pivots), i32.sub(get(j), get(k0))), get(piv)),
          ifElse(
            i32.ne(get(piv), get(j)),
            seq(
              set(rowI, rowOf(get(piv))),
              swapRows(k, width, rowJ, rowI, t, ts),
              swapOne(at(perm, get(j)), at(perm, get(piv))),
              set(swaps, add(get(swaps), c(1))),
            ),
          ),
          set(d, f32.load(at(rowJ, get(j)))),
          // A zero pivot column stays as it is (NaN goes on, as in the TypeScript kernel).
          ifElse(
            f32.ne(get(d), f32.const(0)),
            forRange(
              i,
              add(get(j), c(1)),
              get(rows),
              1,
              set(rowI, rowOf(get(i))),
              set(l, f32.div(f32.load(at(rowI, get(j))), get(d))),
              f32.store(at(rowI, get(j)), get(l)),
              set(lNeg, f32x4.splat(f32.neg(get(l)))),
              subtractScaled(f, k, add(get(j), c(1)), cEnd, rowI, rowJ, l, lNeg),
            ),
          ),
        ),
        get(swaps),
      );
    },
  );

  m.func('swap_rows', ['i32', 'i32', 'i32', 'i32', 'i32'], null, (f, a, ld, width, pivots, count) => {
    const j = f.local('i32');
    const k = f.local('i32');
    const p = f.local('i32');
    const x = f.local('i32');
    const y = f.local('i32');
    const t = f.local('v128');
    const ts = f.local('f32');
    return forRange(
      j,
      c(0),
      get(count),
      1,
      set(p, i32.load(f32Addr(get(pivots), get(j)))),
      ifElse(
        i32.ne(get(p), get(j)),
        seq(
          set(x, add(get(a), mul(get(j), get(ld)))),
          set(y, add(get(a), mul(get(p), get(ld)))),
          swapRows(k, width, x, y, t, ts),
        ),
      ),
    );
  });

  m.func(
    'copy_block',
    ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'],
    null,
    (f, src, sld, dst, dld, rows, cols) => {
      const i = f.local('i32');
      const k = f.local('i32');
      const from = f.local('i32');
      const to = f.local('i32');
      return forRange(
        i,
        c(0),
        get(rows),
        1,
        set(from, add(get(src), mul(get(i), get(sld)))),
        set(to, add(get(dst), mul(get(i), get(dld)))),
        alongRow(
          k,
          c(0),
          cols,
          v128.store(at(to, get(k)), v128.load(at(from, get(k)))),
          f32.store(at(to, get(k)), f32.load(at(from, get(k)))),
        ),
      );
    },
  );

  m.func('chol_lower', ['i32', 'i32', 'i32'], 'i32', (f, a, ld, n) => {
    const j = f.local('i32');
    const i = f.local('i32');
    const k = f.local('i32');
    const rowJ = f.local('i32');
    const rowI = f.local('i32');
    const d = f.local('f32');
    const s = f.local('f32');
    const acc = f.local('v128');
    const tail = f.local('f32');
    // Column by column, each entry its row's dot product with row j so far (the twin's order).
    return seq(
      forRange(
        j,
        c(0),
        get(n),
        1,
        set(rowJ, add(get(a), mul(get(j), get(ld)))),
        dot(f, k, c(0), j, rowJ, rowJ, acc, tail, s),
        set(d, f32.sub(f32.load(at(rowJ, get(j))), get(s))),
        // Not positive, or NaN: this pivot fails.
        ifElse(i32.eqz(f32.gt(get(d), f32.const(0))), ret(get(j))),
        set(d, f32.sqrt(get(d))),
        f32.store(at(rowJ, get(j)), get(d)),
        forRange(
          i,
          add(get(j), c(1)),
          get(n),
          1,
          set(rowI, add(get(a), mul(get(i), get(ld)))),
          dot(f, k, c(0), j, rowI, rowJ, acc, tail, s),
          f32.store(at(rowI, get(j)), f32.div(f32.sub(f32.load(at(rowI, get(j))), get(s)), get(d))),
        ),
      ),
      c(-1),
    );
  });

  m.func(
    'trsm_left',
    ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'],
    null,
    (f, a, ars, acs, b, ldb, n, kk, lower, unit) => {
      const t = f.local('i32');
      const i = f.local('i32');
      const j = f.local('i32');
      const k = f.local('i32');
      const rowI = f.local('i32');
      const rowJ = f.local('i32');
      const aRow = f.local('i32');
      const s = f.local('f32');
      const sNeg = f.local('v128');
      const d = f.local('f32');
      const dv = f.local('v128');
      return forRange(
        t,
        c(0),
        get(n),
        1,
        // Lower: rows top to bottom, each less the rows above; upper: bottom to top, less those below.
        set(i, select(get(t), i32.sub(i32.sub(get(n), c(1)), get(t)), get(lower))),
        set(rowI, add(get(b), mul(get(i), get(ldb)))),
        set(aRow, add(get(a), mul(get(i), get(ars)))),
        forRange(
          j,
          select(c(0), add(get(i), c(1)), get(lower)),
          select(get(i), get(n), get(lower)),
          1,
          set(s, f32.load(add(get(aRow), mul(get(j), get(acs))))),
          set(sNeg, f32x4.splat(f32.neg(get(s)))),
          set(rowJ, add(get(b), mul(get(j), get(ldb)))),
          subtractScaled(f, k, c(0), kk, rowI, rowJ, s, sNeg),
        ),
        ifElse(
          i32.eqz(get(unit)),
          seq(
            set(d, f32.load(add(get(aRow), mul(get(i), get(acs))))),
            set(dv, f32x4.splat(get(d))),
            divideRow(k, c(0), kk, rowI, d, dv),
          ),
        ),
      );
    },
  );

  m.func(
    'trsm_right_lt',
    ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'],
    null,
    (f, l, ldl, b, ldb, rows, n, scratch) => {
      const r = f.local('i32');
      const q = f.local('i32');
      const j = f.local('i32');
      const k = f.local('i32');
      const rowB = f.local('i32');
      const rowL = f.local('i32');
      const acc = f.local('v128');
      const lane = (jj: Code) => add(get(scratch), i32.shl(jj, c(4)));
      // b(r + q, j) <-> lane q of scratch[j], for every j and q.
      const shuttle = (toScratch: boolean) =>
        forRange(
          q,
          c(0),
          c(4),
          1,
          set(rowB, add(get(b), mul(add(get(r), get(q)), get(ldb)))),
          forRange(
            j,
            c(0),
            get(n),
            1,
            toScratch
              ? f32.store(f32Addr(lane(get(j)), get(q)), f32.load(at(rowB, get(j))))
              : f32.store(at(rowB, get(j)), f32.load(f32Addr(lane(get(j)), get(q)))),
          ),
        );
      return forRange(
        r,
        c(0),
        get(rows),
        4,
        shuttle(true),
        forRange(
          j,
          c(0),
          get(n),
          1,
          set(rowL, add(get(l), mul(get(j), get(ldl)))),
          set(acc, f32x4.const(0)),
          forRange(
            k,
            c(0),
            get(j),
            1,
            set(acc, f.madd(v128.load(lane(get(k))), v128.load32Splat(at(rowL, get(k))), get(acc))),
          ),
          v128.store(
            lane(get(j)),
            f32x4.div(f32x4.sub(v128.load(lane(get(j))), get(acc)), v128.load32Splat(at(rowL, get(j)))),
          ),
        ),
        shuttle(false),
      );
    },
  );

  m.func(
    'trsv',
    ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'],
    null,
    (f, a, ars, acs, x0, ldx, count, n, lower, unit) => {
      const r = f.local('i32');
      const x = f.local('i32');
      const t = f.local('i32');
      const i = f.local('i32');
      const k = f.local('i32');
      const from = f.local('i32');
      const to = f.local('i32');
      const row = f.local('i32');
      const acc = f.local('v128');
      const tail = f.local('f32');
      const s = f.local('f32');
      const sNeg = f.local('v128');
      const xi = at(x, get(i));
      // op(A)(i, i): `row` is row i (acs = 4) or column i (ars = 4) of op(A), so 4 i bytes on either way.
      const solved = select(get(s), f32.div(get(s), f32.load(at(row, get(i)))), get(unit));
      // Rows of op(A) contiguous: x_i = (x_i - op(A)(i, solved) . x(solved)) / op(A)(i, i).
      const dots = seq(
        set(row, add(get(a), mul(get(i), get(ars)))),
        set(from, select(c(0), add(get(i), c(1)), get(lower))),
        set(to, select(get(i), get(n), get(lower))),
        dot(f, k, get(from), to, row, x, acc, tail, s),
        set(s, f32.sub(f32.load(xi), get(s))),
        f32.store(xi, solved),
      );
      // Columns of op(A) contiguous: solve x_i, then take x_i op(A)(rest, i) from the rows still to solve.
      const updates = seq(
        set(row, add(get(a), mul(get(i), get(acs)))),
        set(from, select(add(get(i), c(1)), c(0), get(lower))),
        set(to, select(get(n), get(i), get(lower))),
        set(s, f32.load(xi)),
        set(s, solved),
        f32.store(xi, get(s)),
        set(sNeg, f32x4.splat(f32.neg(get(s)))),
        subtractScaled(f, k, get(from), to, x, row, s, sNeg),
      );
      return forRange(
        r,
        c(0),
        get(count),
        1,
        set(x, add(get(x0), mul(get(r), get(ldx)))),
        forRange(
          t,
          c(0),
          get(n),
          1,
          set(i, select(get(t), i32.sub(i32.sub(get(n), c(1)), get(t)), get(lower))),
          ifElse(i32.eq(get(acs), c(4)), dots, updates),
        ),
      );
    },
  );
}
