// Matmul kernels in WebAssembly SIMD: packing of A and B panels (any strides, zero-padded edges) and a
// register-blocked MR x NR micro-kernel (MR rows of A broadcast against NR/4 vectors of B per step of k).
// src/backends/wasm/matmul.ts drives them block by block (the loops of GotoBLAS).
import {
  block,
  brIf,
  type Code,
  f32,
  f32x4,
  forRange,
  get,
  i32,
  ifElse,
  type Local,
  loop,
  type ModuleBuilder,
  select,
  seq,
  set,
  tee,
  v128,
} from '../assembler';
import { SCRATCH } from '../heap';

/** The micro-kernel's tile: MR rows of C by NR columns (NR a multiple of 4). */
export interface MatmulTile {
  MR: number;
  NR: number;
}

/**
 * 4 x 8: eight f32x4 accumulators. Measured in Node 20 on x86-64 (best of 10, 256 to 1024): 39-43 GFLOP/s,
 * against 33-37 for 6 x 8, 4 x 12 and 5 x 8 (more accumulators, which V8 spills) and 32-36 with the k loop
 * unrolled two or four times.
 */
export const DEFAULT_TILE: MatmulTile = { MR: 4, NR: 8 };

/** The suffix of a tile's function names, e.g. 4x8. */
export const tileTag = ({ MR, NR }: MatmulTile): string => `${MR}x${NR}`;

const add = i32.add;
const mul = i32.mul;
const c = i32.const;
const min = (a: Code, b: Code) => select(a, b, i32.ltS(a, b));

/**
 * Adds the matmul functions to a module, suffixed with the tile (e.g. pack_a_6x8):
 * - pack_a(src, dst, mc, kc, rs, cs): rows [0, mc) and k [0, kc) of A (element (i, k) at src + i*rs + k*cs
 *   bytes) as panels of MR rows, k-major inside a panel: dst[panel][k][r]; rows past mc are 0.
 * - pack_b(src, dst, kc, nc, rs, cs): k [0, kc) and columns [0, nc) of B as panels of NR columns:
 *   dst[panel][k][n]; columns past nc are 0.
 * - gemm(ap, bp, c, mc, nc, kc, ldc, accumulate): C[0:mc, 0:nc] (= or +=) packed A @ packed B, C rows
 *   ldc bytes apart.
 */
export function addMatmul(m: ModuleBuilder, tile: MatmulTile): void {
  const { MR, NR } = tile;
  const tag = tileTag(tile);
  const NV = NR / 4; // vectors of B per k

  m.func(`pack_a_${tag}`, ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], null, (f, src, dst, mc, kc, rs, cs) => {
    const ip = f.local('i32');
    const k = f.local('i32');
    const h = f.local('i32');
    const row = f.local('i32'); // address of A(ip, k)
    const r = f.local('i32');
    return forRange(
      ip,
      c(0),
      get(mc),
      MR,
      set(h, min(i32.sub(get(mc), get(ip)), c(MR))),
      forRange(
        k,
        c(0),
        get(kc),
        1,
        set(row, add(get(src), add(mul(get(ip), get(rs)), mul(get(k), get(cs))))),
        forRange(
          r,
          c(0),
          c(MR),
          1,
          f32.store(
            add(get(dst), i32.shl(get(r), c(2))),
            select(f32.load(add(get(row), mul(get(r), get(rs)))), f32.const(0), i32.ltS(get(r), get(h))),
          ),
        ),
        set(dst, add(get(dst), c(MR * 4))),
      ),
    );
  });

  m.func(`pack_b_${tag}`, ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], null, (f, src, dst, kc, nc, rs, cs) => {
    const jp = f.local('i32');
    const k = f.local('i32');
    const w = f.local('i32');
    const s = f.local('i32');
    const n = f.local('i32');
    const contiguousFull = i32.and(i32.eq(get(cs), c(4)), i32.eq(get(w), c(NR)));
    return forRange(
      jp,
      c(0),
      get(nc),
      NR,
      set(w, min(i32.sub(get(nc), get(jp)), c(NR))),
      set(s, add(get(src), mul(get(jp), get(cs)))),
      ifElse(
        contiguousFull,
        // Rows of B are contiguous and the panel is full: NR/4 vector copies per k.
        forRange(
          k,
          c(0),
          get(kc),
          1,
          ...Array.from({ length: NV }, (_, v) => v128.store(get(dst), v128.load(get(s), 16 * v), 16 * v)),
          set(s, add(get(s), get(rs))),
          set(dst, add(get(dst), c(NR * 4))),
        ),
        forRange(
          k,
          c(0),
          get(kc),
          1,
          forRange(
            n,
            c(0),
            c(NR),
            1,
            f32.store(
              add(get(dst), i32.shl(get(n), c(2))),
              select(f32.load(add(get(s), mul(get(n), get(cs)))), f32.const(0), i32.ltS(get(n), get(w))),
            ),
          ),
          set(s, add(get(s), get(rs))),
          set(dst, add(get(dst), c(NR * 4))),
        ),
      ),
    );
  });

  m.func(
    `gemm_${tag}`,
    ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'],
    null,
    (f, ap, bp, cp, mc, nc, kc, ldc, accumulate) => {
      const jr = f.local('i32');
      const ir = f.local('i32');
      const pa = f.local('i32');
      const pb = f.local('i32');
      const k = f.local('i32');
      const mr = f.local('i32');
      const nr = f.local('i32');
      const cTile = f.local('i32');
      const r = f.local('i32');
      const n = f.local('i32');
      const at = f.local('i32');
      const a = f.local('v128');
      const b: Local[] = Array.from({ length: NV }, () => f.local('v128'));
      const acc: Local[][] = Array.from({ length: MR }, () =>
        Array.from({ length: NV }, () => f.local('v128')),
      );
      const zero = f32x4.const(0);

      // One step of k: load NV vectors of B, then for each row broadcast A(row, k) and multiply-add.
      const step = seq(
        b.map((bv, v) => set(bv, v128.load(get(pb), 16 * v))),
        acc.map((row, rr) =>
          seq(
            set(a, v128.load32Splat(get(pa), 4 * rr)),
            row.map((accv, v) => set(accv, f32x4.add(get(accv), f32x4.mul(get(a), get(b[v]))))),
          ),
        ),
        set(pa, add(get(pa), c(MR * 4))),
        set(pb, add(get(pb), c(NR * 4))),
      );
      const full = seq(
        acc.map((row, rr) =>
          row.map((accv, v) => {
            const at_ = add(get(cTile), mul(c(rr), get(ldc)));
            return ifElse(
              get(accumulate),
              v128.store(at_, f32x4.add(v128.load(at_, 16 * v), get(accv)), 16 * v),
              v128.store(at_, get(accv), 16 * v),
            );
          }),
        ),
      );
      // An edge tile: park the accumulators in the scratch tile, then copy the valid mr x nr corner.
      const partial = seq(
        acc.map((row, rr) => row.map((accv, v) => v128.store(c(SCRATCH), get(accv), (rr * NR + 4 * v) * 4))),
        forRange(
          r,
          c(0),
          get(mr),
          1,
          forRange(
            n,
            c(0),
            get(nr),
            1,
            set(at, add(add(get(cTile), mul(get(r), get(ldc))), i32.shl(get(n), c(2)))),
            f32.store(
              get(at),
              f32.add(
                select(f32.load(get(at)), f32.const(0), get(accumulate)),
                f32.load(i32.shl(add(mul(get(r), c(NR)), get(n)), c(2)), SCRATCH),
              ),
            ),
          ),
        ),
      );
      return forRange(
        jr,
        c(0),
        get(nc),
        NR,
        set(nr, min(i32.sub(get(nc), get(jr)), c(NR))),
        forRange(
          ir,
          c(0),
          get(mc),
          MR,
          set(mr, min(i32.sub(get(mc), get(ir)), c(MR))),
          acc.map((row) => row.map((accv) => set(accv, zero))),
          // Panel p of A starts at p * MR * kc floats = ir * kc * 4 bytes; likewise for B with jr.
          set(pa, add(get(ap), i32.shl(mul(get(ir), get(kc)), c(2)))),
          set(pb, add(get(bp), i32.shl(mul(get(jr), get(kc)), c(2)))),
          set(k, get(kc)),
          block(
            brIf(0, i32.leS(get(k), c(0))),
            loop(step, brIf(0, i32.gtS(tee(k, i32.sub(get(k), c(1))), c(0)))),
          ),
          set(cTile, add(add(get(cp), mul(get(ir), get(ldc))), i32.shl(get(jr), c(2)))),
          ifElse(i32.and(i32.eq(get(mr), c(MR)), i32.eq(get(nr), c(NR))), full, partial),
        ),
      );
    },
  );
}

/**
 * Matrix-vector kernels, for products with a single row or column (no packing: the matrix is read once):
 * - axpy_rows(x, xs, r, rs, K, N, out): out[n] = sum_k x[k*xs] r[k*rs + n] for n < N (rows of r contiguous).
 * - dots(x, r, rs, K, N, out): out[n] = sum_k x[k] r[n*rs + k] for n < N (x and the rows of r contiguous).
 * Strides are in bytes.
 */
export function addMatvec(m: ModuleBuilder): void {
  m.func(
    'axpy_rows',
    ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'],
    null,
    (f, x, xs, r, rs, K, N, out) => {
      const k = f.local('i32');
      const n = f.local('i32');
      const a = f.local('v128');
      const row = f.local('i32');
      const n16 = f.local('i32'); // N rounded down to a multiple of 16
      const at = (base: Local) => add(get(base), i32.shl(get(n), c(2)));
      const axpy = (offset: number) =>
        v128.store(
          at(out),
          f32x4.add(v128.load(at(out), offset), f32x4.mul(get(a), v128.load(at(row), offset))),
          offset,
        );
      return seq(
        set(n16, i32.and(get(N), c(~15))),
        forRange(n, c(0), get(N), 1, f32.store(at(out), f32.const(0))),
        forRange(
          k,
          c(0),
          get(K),
          1,
          set(a, v128.load32Splat(add(get(x), mul(get(k), get(xs))))),
          set(row, add(get(r), mul(get(k), get(rs)))),
          forRange(n, c(0), get(n16), 16, axpy(0), axpy(16), axpy(32), axpy(48)),
          forRange(
            n,
            get(n16),
            get(N),
            1,
            f32.store(
              at(out),
              f32.add(f32.load(at(out)), f32.mul(f32x4.extractLane(get(a), 0), f32.load(at(row)))),
            ),
          ),
        ),
      );
    },
  );

  m.func('dots', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], null, (f, x, r, rs, K, N, out) => {
    const k = f.local('i32');
    const n = f.local('i32');
    const row = f.local('i32');
    const k16 = f.local('i32');
    const tail = f.local('f32');
    const acc = [f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128')];
    const at = (base: Local) => add(get(base), i32.shl(get(k), c(2)));
    const sum = f32x4.add(f32x4.add(get(acc[0]), get(acc[1])), f32x4.add(get(acc[2]), get(acc[3])));
    const lanes = f.local('v128');
    return seq(
      set(k16, i32.and(get(K), c(~15))),
      forRange(
        n,
        c(0),
        get(N),
        1,
        set(row, add(get(r), mul(get(n), get(rs)))),
        acc.map((v) => set(v, f32x4.const(0))),
        forRange(
          k,
          c(0),
          get(k16),
          16,
          acc.map((v, i) =>
            set(v, f32x4.add(get(v), f32x4.mul(v128.load(at(x), 16 * i), v128.load(at(row), 16 * i)))),
          ),
        ),
        set(tail, f32.const(0)),
        forRange(
          k,
          get(k16),
          get(K),
          1,
          set(tail, f32.add(get(tail), f32.mul(f32.load(at(x)), f32.load(at(row))))),
        ),
        set(lanes, sum),
        f32.store(
          add(get(out), i32.shl(get(n), c(2))),
          f32.add(
            f32.add(
              f32.add(f32x4.extractLane(get(lanes), 0), f32x4.extractLane(get(lanes), 1)),
              f32.add(f32x4.extractLane(get(lanes), 2), f32x4.extractLane(get(lanes), 3)),
            ),
            get(tail),
          ),
        ),
      ),
    );
  });
}
