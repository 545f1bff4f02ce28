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

/** Block sizes: a KC x NR panel of B stays in L1 across a row block; an MC x KC block of A in L2. */
export const KC = 256;
export const MC_ROWS = 96;
export const NC = 2048;

/**
 * Byte offsets of the fields (all i32) of a matmul_task plan: operands (byte addresses and byte strides per
 * batch, row and column), C (contiguous: per batch, per row = ldc), K, this thread's ranges of batches
 * [z0, z1), rows [m0, m1) and columns [n0, n1), and its buffers: packed A (mcMax x KC floats, then an edge
 * tile) and packed B (KC x NC floats); `update` 0 writes C = A B, 1 subtracts: C -= A B (the trailing
 * updates of the factorisations, in place).
 */
export const PLAN = {
  a: 0,
  aBatch: 4,
  aRow: 8,
  aCol: 12,
  b: 16,
  bBatch: 20,
  bRow: 24,
  bCol: 28,
  c: 32,
  cBatch: 36,
  ldc: 40,
  K: 44,
  z0: 48,
  z1: 52,
  m0: 56,
  m1: 60,
  n0: 64,
  n1: 68,
  ap: 72,
  bp: 76,
  mcMax: 80,
  update: 84,
} as const;
/** Bytes of a plan. */
export const PLAN_BYTES = 96;

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
 * - gemm(ap, bp, c, mc, nc, kc, ldc, accumulate, scratch): C[0:mc, 0:nc] =, += (accumulate 1) or -=
 *   (accumulate 2) packed A @ packed B, C rows ldc bytes apart; `scratch` holds an MR x NR edge tile (each
 *   thread has its own).
 * - matmul_task(plan): a whole product, blocked: see MatmulPlanLayout.
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
    ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'],
    null,
    (f, ap, bp, cp, mc, nc, kc, ldc, accumulate, scratch) => {
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
            row.map((accv, v) => set(accv, f.madd(get(a), get(b[v]), get(accv)))),
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
        acc.map((row, rr) =>
          row.map((accv, v) => v128.store(get(scratch), get(accv), (rr * NR + 4 * v) * 4)),
        ),
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
                f32.load(add(get(scratch), i32.shl(add(mul(get(r), c(NR)), get(n)), c(2)))),
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
          // Subtracting: C + (-acc) is C - acc exactly, so the stores below serve both.
          ifElse(
            i32.eq(get(accumulate), c(2)),
            acc.map((row) => row.map((accv) => set(accv, f32x4.neg(get(accv))))),
          ),
          set(cTile, add(add(get(cp), mul(get(ir), get(ldc))), i32.shl(get(jr), c(2)))),
          ifElse(i32.and(i32.eq(get(mr), c(MR)), i32.eq(get(nr), c(NR))), full, partial),
        ),
      );
    },
  );

  // The GotoBLAS loops for one thread's share of a product, reading its plan from memory.
  m.func(`matmul_task_${tag}`, ['i32'], null, (f, plan) => {
    const field = (name: keyof typeof PLAN) => i32.load(get(plan), PLAN[name]);
    const v = Object.fromEntries(Object.keys(PLAN).map((k) => [k, f.local('i32')])) as Record<
      keyof typeof PLAN,
      Local
    >;
    const z = f.local('i32');
    const jc = f.local('i32');
    const pc = f.local('i32');
    const ic = f.local('i32');
    const nc = f.local('i32');
    const kc = f.local('i32');
    const mc = f.local('i32');
    const aZ = f.local('i32');
    const bZ = f.local('i32');
    const cZ = f.local('i32');
    const edge = f.local('i32');
    return seq(
      (Object.keys(PLAN) as (keyof typeof PLAN)[]).map((k) => set(v[k], field(k))),
      // The edge tile lives right after this thread's packed A block.
      set(edge, add(get(v.ap), i32.shl(mul(get(v.mcMax), c(KC)), c(2)))),
      forRange(
        z,
        get(v.z0),
        get(v.z1),
        1,
        set(aZ, add(get(v.a), mul(get(z), get(v.aBatch)))),
        set(bZ, add(get(v.b), mul(get(z), get(v.bBatch)))),
        set(cZ, add(get(v.c), mul(get(z), get(v.cBatch)))),
        forRange(
          jc,
          get(v.n0),
          get(v.n1),
          NC,
          set(nc, min(i32.sub(get(v.n1), get(jc)), c(NC))),
          forRange(
            pc,
            c(0),
            get(v.K),
            KC,
            set(kc, min(i32.sub(get(v.K), get(pc)), c(KC))),
            m.call(
              `pack_b_${tag}`,
              add(get(bZ), add(mul(get(pc), get(v.bRow)), mul(get(jc), get(v.bCol)))),
              get(v.bp),
              get(kc),
              get(nc),
              get(v.bRow),
              get(v.bCol),
            ),
            forRange(
              ic,
              get(v.m0),
              get(v.m1),
              get(v.mcMax),
              set(mc, min(i32.sub(get(v.m1), get(ic)), get(v.mcMax))),
              m.call(
                `pack_a_${tag}`,
                add(get(aZ), add(mul(get(ic), get(v.aRow)), mul(get(pc), get(v.aCol)))),
                get(v.ap),
                get(mc),
                get(kc),
                get(v.aRow),
                get(v.aCol),
              ),
              m.call(
                `gemm_${tag}`,
                get(v.ap),
                get(v.bp),
                add(get(cZ), add(mul(get(ic), get(v.ldc)), i32.shl(get(jc), c(2)))),
                get(mc),
                get(nc),
                get(kc),
                get(v.ldc),
                select(c(2), i32.gtS(get(pc), c(0)), get(v.update)),
                get(edge),
              ),
            ),
          ),
        ),
      ),
    );
  });
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
        v128.store(at(out), f.madd(get(a), v128.load(at(row), offset), v128.load(at(out), offset)), offset);
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
          acc.map((v, i) => set(v, f.madd(v128.load(at(x), 16 * i), v128.load(at(row), 16 * i), get(v)))),
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
