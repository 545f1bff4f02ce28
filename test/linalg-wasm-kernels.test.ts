// The wasm backend's own factorisations (src/backends/wasm/linalg.ts and kernels/linalg.ts): LU with
// partial pivoting, Cholesky, triangular solves and the matmul's in-place C -= A B, against float64
// references and the TypeScript twins, at sizes that are not multiples of the SIMD width (4), the
// matmul tile (4 x 8) or the recursion's split points (37, 70, 130, 150, batches), on every rung: the
// default recursion, a deep one (unblocked kernels only on one or two columns) and none (the unblocked
// kernels on the whole matrix), each with and without relaxed SIMD's multiply-add. Also: exact pivoting
// ties (the first of equal |pivots| wins, as in the twin), singular matrices, the failing pivot of a
// Cholesky, threads, results stored after the memory grew mid-call, and no leaked memory.
//
// Tolerances: LU and Cholesky are backward stable, so the residual of the factorisation is about
// n * eps32 * |L| |U| element-wise; 8 n eps32 of that bound leaves a margin. Solves are off by about
// cond(A) n eps32; the matrices below keep cond(A) under ~100 and n <= 150, so 2e-4 relative to the
// largest entry leaves a margin of ~10.
import { setFlagsFromString } from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../src/backends/backend';
import { gemmAt } from '../src/backends/wasm/gemm';
import { UNBLOCKED_UP_TO } from '../src/backends/wasm/linalg';
import { WasmBackend } from '../src/backends/wasm/wasm_backend';
import type { CpuBackend } from '../src/backends/cpu/cpu_backend';
import { type Context, createContext, linalg } from '../src/index';
import { held } from './helpers/backends';
import { expectClose, randomData } from './helpers/close';
import { refCholesky, refSolve } from './helpers/linalg_reference';

const EPS32 = 2 ** -24;
const TOL = 2e-4;

const maxAbs = (x: ArrayLike<number>) => Array.from(x).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tol = TOL) {
  expectClose(actual, expected, { rtol: 0, atol: tol * Math.max(maxAbs(expected), 1e-30) }, what);
}

/** Partial pivoting in float64, the twin's rule (the first row of largest |a(i, j)|): packed L\U and perm. */
function refLu(a: ArrayLike<number>, m: number, nb: number) {
  const A = Float64Array.from(a);
  const perm = Array.from({ length: m }, (_, i) => i);
  for (let j = 0; j < Math.min(m, nb); j++) {
    let p = j;
    for (let i = j + 1; i < m; i++) if (Math.abs(A[i * nb + j]) > Math.abs(A[p * nb + j])) p = i;
    if (p !== j) {
      for (let c = 0; c < nb; c++) [A[j * nb + c], A[p * nb + c]] = [A[p * nb + c], A[j * nb + c]];
      [perm[j], perm[p]] = [perm[p], perm[j]];
    }
    if (A[j * nb + j] === 0) continue;
    for (let i = j + 1; i < m; i++) {
      const l = (A[i * nb + j] /= A[j * nb + j]);
      for (let c = j + 1; c < nb; c++) A[i * nb + c] -= l * A[j * nb + c];
    }
  }
  return { lu: A, perm };
}

/**
 * Checks a packed P A = L U of an m x nb matrix (over min(m, nb) columns): perm is a permutation, sign its
 * parity, and P A - L U is within 8 n eps32 of |L| |U| in every entry (backward stability).
 */
function expectFactors(
  a: ArrayLike<number>,
  lu: ArrayLike<number>,
  perm: ArrayLike<number>,
  sign: number,
  m: number,
  nb: number,
  what: string,
) {
  const p = Array.from(perm);
  expect(
    [...p].sort((x, y) => x - y),
    `${what}: perm is a permutation`,
  ).toEqual(p.map((_, i) => i));
  let parity = 1;
  const seen = new Array<boolean>(m).fill(false);
  for (let i = 0; i < m; i++) {
    if (seen[i]) continue;
    let len = 0;
    for (let j = i; !seen[j]; j = p[j]) [seen[j], len] = [true, len + 1];
    if (len % 2 === 0) parity = -parity;
  }
  expect(sign, `${what}: sign`).toBe(parity);
  const k = Math.min(m, nb);
  for (let i = 0; i < m; i++)
    for (let c = 0; c < nb; c++) {
      let s = 0;
      let bound = 0;
      for (let t = 0; t <= Math.min(i, c, k - 1); t++) {
        const lu_ = (t === i ? 1 : lu[i * nb + t]) * lu[t * nb + c];
        s += lu_;
        bound += Math.abs(lu_);
      }
      const want = a[p[i] * nb + c];
      const tol = 8 * Math.max(m, nb) * EPS32 * Math.max(bound, Math.abs(want)) + 1e-30;
      if (!(Math.abs(s - want) <= tol)) {
        throw new Error(`${what}: (P A - L U)[${i}, ${c}] = ${s - want}, more than ${tol}`);
      }
    }
}

/** M + sqrt(n) D for M in [-1, 1], D = diag(+-1, ...): cond(A) small, rows still swapped by pivoting. */
function general(n: number, seed: number): Float32Array {
  const m = randomData(n * n, seed);
  for (let i = 0; i < n; i++) m[i * n + i] += Math.sqrt(n) * (i % 3 ? 1 : -1) * 0.5;
  return m;
}

/** M M^T / n + I for M in [-1, 1]: symmetric positive definite, eigenvalues in [1, ~5]. */
function spd(n: number, seed: number): Float32Array {
  const m = randomData(n * n, seed);
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += m[i * n + k] * m[j * n + k];
      out[i * n + j] = out[j * n + i] = s / n + (i === j ? 1 : 0);
    }
  return out;
}

/** Sylvester's Hadamard matrix of order 2^k: every column a tie of +-1 entries. */
function hadamard(n: number): Float64Array {
  const h = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let bits = i & j;
      let s = 1;
      for (; bits; bits &= bits - 1) s = -s;
      h[i * n + j] = s;
    }
  return h;
}

// Relaxed SIMD (behind a flag in Node 20, on by default in browsers and Node 22+), set before any module is
// compiled: the kernels run with its multiply-add (the default backend) and without it.
setFlagsFromString('--experimental-wasm-relaxed-simd');

const RUNGS = {
  default: { ...UNBLOCKED_UP_TO },
  deep: { lu: 2, cholesky: 2, triangular: 2, gram: 2 },
  unblocked: { lu: Infinity, cholesky: Infinity, triangular: Infinity, gram: Infinity },
};

describe('wasm linalg kernels', () => {
  let gb: Context;
  let js: Context;
  let one: Context; // one thread, where the default has more
  let plain: WasmBackend; // without relaxed SIMD's multiply-add
  let engine: WasmBackend; // the variant under test
  beforeAll(async () => {
    gb = await createContext({ backend: 'wasm', seed: 1 });
    js = await createContext({ backend: 'js', seed: 1 });
    one = await createContext({ backend: 'wasm', seed: 1, threads: 1 });
    plain = await WasmBackend.create({ threads: 1, fma: false });
  });
  afterAll(() => {
    for (const c of [gb, js, one]) c.dispose();
    plain.dispose();
    Object.assign(UNBLOCKED_UP_TO, RUNGS.default);
  });
  const wasm = () => engine;

  it('the default backend here uses the multiply-add, so both variants are tested', () => {
    expect((gb.engine as WasmBackend).fma).toBe(true);
    expect(plain.fma).toBe(false);
  });

  /** Runs the engine's call on uploaded inputs, reads every output, frees them all and checks the heap. */
  function run<T extends Record<string, Storage> | Storage>(
    inputs: Float32Array[],
    call: (...s: Storage[]) => T,
    engine: WasmBackend | CpuBackend = wasm(),
  ): Record<string, Float32Array> {
    const blocks = 'heap' in engine ? engine.heap.blocks : 0;
    const ins = inputs.map((x) => engine.upload(x));
    const r = call(...ins);
    const outs: Record<string, Storage> =
      'length' in r ? { out: r as Storage } : (r as Record<string, Storage>);
    const read = Object.fromEntries(
      Object.entries(outs).map(([k, s]) => [k, Float32Array.from(engine.readSync(s))]),
    );
    for (const s of [...ins, ...Object.values(outs)]) engine.free(s);
    if ('heap' in engine) expect(engine.heap.blocks, 'heap blocks after the call').toBe(blocks);
    return read;
  }

  for (const variant of ['multiply-add', 'plain'] as const)
    for (const [rung, sizes] of Object.entries(RUNGS)) {
      describe(`${variant}, rung: ${rung}`, () => {
        beforeAll(() => {
          engine = variant === 'plain' ? plain : (gb.engine as WasmBackend);
          Object.assign(UNBLOCKED_UP_TO, sizes);
        });
        afterAll(() => {
          Object.assign(UNBLOCKED_UP_TO, RUNGS.default);
        });

        it('lu: P A = L U with the reference pivots, n = 1, 5, 37, 70, 130 and a batch of three 37 x 37', () => {
          for (const [batch, n] of [
            [1, 1],
            [1, 5],
            [1, 37],
            [1, 70],
            [1, 130],
            [3, 37],
          ]) {
            // Random entries without a dominant diagonal: pivoting swaps rows in most columns.
            const A = randomData(batch * n * n, 3 + n + batch);
            const r = run([A], (x) => wasm().lu(x, batch, n));
            for (let z = 0; z < batch; z++) {
              const a = A.subarray(z * n * n, (z + 1) * n * n);
              const what = `lu ${batch} x ${n}, matrix ${z}`;
              const lu = r.lu.subarray(z * n * n, (z + 1) * n * n);
              const perm = r.perm.subarray(z * n, (z + 1) * n);
              expect(Array.from(perm), `${what}: perm`).toEqual(refLu(a, n, n).perm);
              expectFactors(a, lu, perm, r.sign[z], n, n, what);
            }
          }
        });

        it('luPanel: tall (150 x 37) and wide (37 x 70) panels, as the twin', () => {
          for (const [m, b] of [
            [150, 37],
            [37, 70],
            [70, 70],
          ]) {
            const A = randomData(2 * m * b, 5 + m + b);
            const r = run([A], (x) => wasm().luPanel(x, 2, m, b));
            const t = run([A], (x) => (js.engine as CpuBackend).luPanel(x, 2, m, b), js.engine as CpuBackend);
            expect(Array.from(r.perm), `luPanel ${m} x ${b}: perm as the twin's`).toEqual(Array.from(t.perm));
            expect(Array.from(r.sign)).toEqual(Array.from(t.sign));
            for (let z = 0; z < 2; z++) {
              const sl = (x: Float32Array, len: number) => x.subarray(z * len, (z + 1) * len);
              expectFactors(
                sl(A, m * b),
                sl(r.lu, m * b),
                sl(r.perm, m),
                r.sign[z],
                m,
                b,
                `luPanel ${m} x ${b}`,
              );
            }
          }
        });

        it('cholesky against float64 at n = 1, 37, 70, 150 and a batch of two 70 x 70; the upper triangle is not read', () => {
          for (const [batch, n] of [
            [1, 1],
            [1, 37],
            [1, 70],
            [1, 150],
            [2, 70],
          ]) {
            const A = new Float32Array(batch * n * n);
            for (let z = 0; z < batch; z++) A.set(spd(n, 11 + n + z), z * n * n);
            // Garbage above the diagonal: only the lower triangle is the matrix.
            const noisy = A.map((v, e) => (e % n > Math.floor(e / n) % n ? 1e3 * Math.sin(e) : v));
            const r = run([noisy], (x) => wasm().cholesky(x, batch, n));
            expect(Array.from(r.info)).toEqual(new Array(batch).fill(-1));
            const want = new Float64Array(batch * n * n);
            for (let z = 0; z < batch; z++)
              want.set(refCholesky(A.subarray(z * n * n, (z + 1) * n * n), n), z * n * n);
            expectNear(r.factor, want, `cholesky ${batch} x ${n}`);
            // Zeros above the diagonal, exactly.
            r.factor.forEach((v, e) => {
              if (e % n > Math.floor(e / n) % n && v !== 0)
                throw new Error(`cholesky: L[${e}] above the diagonal is ${v}`);
            });
          }
        });

        it('cholesky names the first pivot that is not positive, in the first block, past a split, and NaN', () => {
          const n = 70;
          const cases: [number, number][] = [
            [3, -1],
            [45, -5],
            [69, -5],
            [45, NaN],
          ];
          for (const [pivot, value] of cases) {
            const A = spd(n, 21);
            A[pivot * n + pivot] = value;
            const ok = spd(n, 22);
            const both = new Float32Array(2 * n * n);
            both.set(ok, 0);
            both.set(A, n * n);
            const r = run([both], (x) => wasm().cholesky(x, 2, n));
            expect(Array.from(r.info), `pivot ${pivot} = ${value}`).toEqual([-1, pivot]);
            expect(r.factor.subarray(n * n).every(Number.isNaN), 'a failed factor is all NaN').toBe(true);
            expectNear(r.factor.subarray(0, n * n), refCholesky(ok, n), 'the good matrix of the batch');
          }
        });

        it('triangularSolve: lower, upper, transposed, unit, k = 1, 5, 37, n = 37 and 130, batches of two', () => {
          for (const n of [37, 130])
            for (const k of [1, 5, 37])
              for (const lower of [true, false])
                for (const transpose of [false, true])
                  for (const unitDiagonal of [false, true]) {
                    const m = randomData(2 * n * n, n + k);
                    // Diagonal in [1, 2), off-diagonal entries small (cond(A) below ~10), garbage in the
                    // other triangle (never read).
                    const A = m.map((v, e) => {
                      const [i, j] = [Math.floor(e / n) % n, e % n];
                      const inTriangle = lower !== transpose ? j < i : j > i;
                      return i === j ? 1.5 + v / 2 : inTriangle ? v / Math.sqrt(n) : 1e3;
                    });
                    const B = randomData(2 * n * k, n * k);
                    const r = run([A, B], (a, b) =>
                      wasm().triangularSolve(a, b, 2, n, k, { lower, transpose, unitDiagonal }),
                    );
                    const want = new Float64Array(2 * n * k);
                    for (let z = 0; z < 2; z++) {
                      const opA = new Float64Array(n * n);
                      for (let i = 0; i < n; i++)
                        for (let j = 0; j < n; j++) {
                          const v = transpose ? A[z * n * n + j * n + i] : A[z * n * n + i * n + j];
                          const keep = lower ? j < i : j > i;
                          opA[i * n + j] = i === j ? (unitDiagonal ? 1 : v) : keep ? v : 0;
                        }
                      want.set(refSolve(opA, B.subarray(z * n * k, (z + 1) * n * k), n, k).x, z * n * k);
                    }
                    expectNear(
                      r.out,
                      want,
                      `n=${n} k=${k} lower=${lower} transpose=${transpose} unit=${unitDiagonal}`,
                    );
                  }
        });

        it('exact ties: the first of equal |pivots| wins, as in the twin, bit for bit', () => {
          // blockdiag(H64, H4, 1, 1) with its rows shuffled: column 0 alone has 64 tied candidates. Sylvester
          // Hadamard elimination stays on small dyadic numbers, so float32 and float64 agree exactly.
          const n = 70;
          const A = new Float64Array(n * n);
          const h64 = hadamard(64);
          const h4 = hadamard(4);
          for (let i = 0; i < 64; i++) for (let j = 0; j < 64; j++) A[i * n + j] = h64[i * 64 + j];
          for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) A[(64 + i) * n + 64 + j] = -h4[i * 4 + j];
          A[68 * n + 68] = A[69 * n + 69] = 1;
          const order = Array.from({ length: n }, (_, i) => i);
          const rnd = randomData(n, 77);
          order.sort((x, y) => rnd[x] - rnd[y]);
          const shuffled = new Float32Array(n * n);
          order.forEach((src, i) => shuffled.set(A.subarray(src * n, (src + 1) * n), i * n));
          const ref = refLu(shuffled, n, n);
          expect(
            ref.lu.every((v) => Math.fround(v) === v),
            'the reference is exact in float32',
          ).toBe(true);
          const r = run([shuffled], (x) => wasm().lu(x, 1, n));
          const t = run([shuffled], (x) => (js.engine as CpuBackend).lu(x, 1, n), js.engine as CpuBackend);
          expect(Array.from(r.perm)).toEqual(ref.perm);
          expect(Array.from(r.perm)).toEqual(Array.from(t.perm));
          expect(Array.from(r.lu)).toEqual(Array.from(ref.lu));
          expect(Array.from(r.lu)).toEqual(Array.from(t.lu));
          expect(r.sign[0]).toBe(t.sign[0]);
          // And small ones: |1| = |-1| keeps row 0; a zero column is left as it is.
          const s = run([Float32Array.from([1, 2, -1, 3, 0, 0, 0, 1, 1])], (x) => wasm().lu(x, 1, 3));
          const st = run(
            [Float32Array.from([1, 2, -1, 3, 0, 0, 0, 1, 1])],
            (x) => (js.engine as CpuBackend).lu(x, 1, 3),
            js.engine as CpuBackend,
          );
          expect(Array.from(s.perm)).toEqual(Array.from(st.perm));
          expect(Array.from(s.lu)).toEqual(Array.from(st.lu));
        });

        it("singular matrices: a zero column or row leaves an exact 0 on U's diagonal", () => {
          for (const [n, kind, at] of [
            [37, 'column', 20],
            [70, 'column', 45],
            [130, 'row', 100],
          ] as const) {
            const A = general(n, 31 + n);
            for (let i = 0; i < n; i++) A[kind === 'column' ? i * n + at : at * n + i] = 0;
            const r = run([A], (x) => wasm().lu(x, 1, n));
            const diagonal = Array.from({ length: n }, (_, i) => r.lu[i * n + i]);
            expect(
              diagonal.some((v) => v === 0),
              `zero ${kind} ${at} of ${n}`,
            ).toBe(true);
          }
        });
      });
    }

  it('solve, inv, det, slogdet and cholesky through the API against float64, on one thread and on threads', async () => {
    for (const ctx of [gb, one]) {
      const before = held(ctx);
      for (const n of [37, 70, 150]) {
        const A = general(n, 41 + n);
        const B = randomData(n * 3, 42 + n);
        const ref = refSolve(A, B, n, 3);
        const a = ctx.tensor(A, [n, n]);
        const b = ctx.tensor(B, [n, 3]);
        const x = linalg.solve(a, b);
        expectNear(await x.data(), ref.x, `solve n=${n} (${ctx.engine.description})`);
        const d = linalg.det(a);
        // A product of n pivots: past float32's range it is +-Infinity, as in NumPy.
        const det32 = Math.abs(ref.det) > 3.4e38 ? Math.sign(ref.det) * Infinity : ref.det;
        expectClose(await d.data(), [det32], { rtol: 1e-3, atol: 0 }, `det n=${n}`);
        const s = linalg.slogdet(a);
        expect(await s.sign.item()).toBe(Math.sign(ref.det));
        expectClose(
          await s.logAbsDet.data(),
          [Math.log(Math.abs(ref.det))],
          { rtol: 1e-5, atol: TOL },
          'logAbsDet',
        );
        const ai = linalg.inv(a);
        const eye = Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));
        expectNear(await ai.data(), refSolve(A, eye, n, n).x, `inv n=${n}`);
        const S = spd(n, 43 + n);
        const sp = ctx.tensor(S, [n, n]);
        const L = linalg.cholesky(sp);
        expectNear(await L.data(), refCholesky(S, n), `cholesky n=${n}`);
        for (const t of [a, b, x, d, s.sign, s.logAbsDet, ai, sp, L]) t.dispose();
      }
      // Exactly singular: det 0, slogdet (0, -Infinity), solve non-finite, no hang.
      for (const [n, kind, at] of [
        [37, 'column', 20],
        [130, 'row', 100],
      ] as const) {
        const A = general(n, 31 + n);
        for (let i = 0; i < n; i++) A[kind === 'column' ? i * n + at : at * n + i] = 0;
        const a = ctx.tensor(A, [n, n]);
        const b = ctx.tensor(randomData(n, 3), [n]);
        const d = linalg.det(a);
        expect(await d.item(), `det, zero ${kind} ${at} of ${n}`).toBe(0);
        const s = linalg.slogdet(a);
        // 0 times the other pivots' signs: +0 or -0, as on the js backend.
        expect(Math.abs(await s.sign.item())).toBe(0);
        expect(await s.logAbsDet.item()).toBe(-Infinity);
        const x = linalg.solve(a, b);
        expect((await x.data()).some((v) => !Number.isFinite(v))).toBe(true);
        for (const t of [a, b, d, s.sign, s.logAbsDet, x]) t.dispose();
      }
      // The error names the pivot and the batch index, as on the other backends.
      const bad = spd(40, 9);
      bad[33 * 40 + 33] = -1;
      const both = new Float32Array(2 * 40 * 40);
      both.set(spd(40, 8), 0);
      both.set(bad, 40 * 40);
      const t = ctx.tensor(both, [2, 40, 40]);
      expect(() => linalg.cholesky(t)).toThrow(/pivot 33 of the matrix at batch index \[1\] is not positive/);
      t.dispose();
      expect(held(ctx)).toEqual(before);
    }
  });

  it('results survive the memory growing inside the call (a fresh context, where the matmuls grow it)', async () => {
    // Regression: info was stored through a view of the memory taken before the call, and lost.
    const n = 150;
    const S = spd(n, 51);
    const A = general(n, 52);
    for (const op of ['cholesky', 'lu'] as const) {
      const fresh = await createContext({ backend: 'wasm', threads: 1 });
      const engine = fresh.engine as WasmBackend;
      const x = engine.upload(op === 'cholesky' ? S : A);
      // Room left for the outputs (and the LU's panel) but not for the matmuls' packing buffers.
      const heap = engine.heap;
      const fillers: number[] = [];
      for (let free = heap.freeBlocks(); free.length > 0; free = heap.freeBlocks())
        fillers.push(heap.alloc(Math.max(...free.map(([, size]) => size))));
      fillers.push(heap.alloc(heap.capacity - heap.highWater - n * n * 4 - 16384));
      const before = heap.capacity;
      if (op === 'cholesky') {
        const r = engine.cholesky(x, 1, n);
        expect(engine.heap.capacity, 'the memory grew during the call').toBeGreaterThan(before);
        expect(Array.from(engine.readSync(r.info))).toEqual([-1]);
        expectNear(engine.readSync(r.factor), refCholesky(S, n), 'cholesky in a fresh context');
      } else {
        const r = engine.lu(x, 1, n);
        expect(engine.heap.capacity, 'the memory grew during the call').toBeGreaterThan(before);
        const perm = engine.readSync(r.perm);
        expect(Array.from(perm)).toEqual(refLu(A, n, n).perm);
        expectFactors(
          A,
          engine.readSync(r.lu),
          perm,
          engine.readSync(r.sign)[0],
          n,
          n,
          'lu in a fresh context',
        );
      }
      fillers.forEach((f) => heap.free(f));
      fresh.dispose();
    }
  });

  it('matmul in place: C -= A B on blocks of larger matrices, strided and transposed operands, threads, both variants', () => {
    for (const engine of [gb.engine as WasmBackend, one.engine as WasmBackend, plain]) {
      // (M, K, N) past the tile and, for the last, past the threshold that splits a product among threads.
      for (const [M, K, N] of [
        [1, 1, 1],
        [5, 3, 13],
        [37, 70, 13],
        [130, 120, 150],
      ]) {
        const ld = N + 3; // C is the top-left block of a (M + 2) x (N + 3) matrix
        const C0 = randomData((M + 2) * ld, M + K);
        const A = randomData(M * K, M * 7 + K); // stored transposed: A(i, k) at k M + i
        const B = randomData(K * N, K * 3 + N); // rows contiguous
        const c = engine.upload(C0);
        const a = engine.upload(A);
        const b = engine.upload(B);
        const ptr = (s: Storage) => (s as unknown as { ptr: number }).ptr;
        gemmAt(
          engine,
          { ptr: ptr(a), batch: 0, row: 1, col: M },
          { ptr: ptr(b), batch: 0, row: N, col: 1 },
          { ptr: ptr(c), batch: 0, row: ld },
          { batch: 1, M, K, N },
          true,
        );
        const got = engine.readSync(c);
        const want = Float64Array.from(C0);
        for (let i = 0; i < M; i++)
          for (let j = 0; j < N; j++) {
            let s = 0;
            for (let k = 0; k < K; k++) s += A[k * M + i] * B[k * N + j];
            want[i * ld + j] -= s;
          }
        // Sums of K products of numbers in [-1, 1]: K eps32 absolute error at most, 4x margin.
        expectClose(got, want, { rtol: 0, atol: 4 * K * EPS32 }, `C -= A B, ${M} x ${K} x ${N}`);
        for (const s of [a, b, c]) engine.free(s);
      }
    }
  });
});
