// Batched matmul on typed arrays. The i-k-j loop order streams rows of B and C, which keeps the inner
// loop contiguous (cache-friendly) when B is row-major; strided operands take the same loop.
import type { MatmulPlan } from '../backend';
import { alloc, type CpuStorage, type FloatArray } from './storage';

export function matmul(a: CpuStorage, b: CpuStorage, p: MatmulPlan): CpuStorage {
  const { batch, M, K, N } = p;
  const A = a.data;
  const B = b.data;
  const out = alloc(A, batch * M * N);
  const acc = new Float64Array(N); // one output row, accumulated in float64
  // Skipping zeros of A (one-hot rows, relu outputs) is exact only when B is finite (0 * Inf = NaN).
  const skipZeros = !hasNonFinite(B);
  for (let z = 0; z < batch; z++) {
    const aBase = z * p.a.batch;
    const bBase = z * p.b.batch;
    for (let m = 0; m < M; m++) {
      acc.fill(0);
      const aRow = aBase + m * p.a.row;
      for (let k = 0; k < K; k++) {
        const aik = A[aRow + k * p.a.col];
        if (aik === 0 && skipZeros) continue;
        const bRow = bBase + k * p.b.row;
        if (p.b.col === 1) {
          for (let n = 0; n < N; n++) acc[n] += aik * B[bRow + n];
        } else {
          for (let n = 0; n < N; n++) acc[n] += aik * B[bRow + n * p.b.col];
        }
      }
      const cRow = (z * M + m) * N;
      for (let n = 0; n < N; n++) out[cRow + n] = acc[n];
    }
  }
  return { length: out.length, data: out };
}

function hasNonFinite(x: FloatArray): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return true;
  return false;
}

/** The plain triple loop: IEEE semantics in every case (0 * Inf = NaN). Also the readable reference. */
export function matmulPlain(A: FloatArray, B: FloatArray, p: MatmulPlan): CpuStorage {
  const { batch, M, K, N } = p;
  const out = alloc(A, batch * M * N);
  for (let z = 0; z < batch; z++) {
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) {
          s += A[z * p.a.batch + m * p.a.row + k * p.a.col] * B[z * p.b.batch + k * p.b.row + n * p.b.col];
        }
        out[(z * M + m) * N + n] = s;
      }
    }
  }
  return { length: out.length, data: out };
}
