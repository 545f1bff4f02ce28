// Comparison of float32 results with float64 references: reports the first mismatching index,
// both values and the relative error, never just "not equal". NaN matches NaN; infinities must match.
import { expect } from 'vitest';

export interface Tolerance {
  rtol?: number;
  atol?: number;
}

/** Default tolerance for one float32 rounding per element: a few ulps relative, tiny absolute. */
export const F32 = { rtol: 2e-6, atol: 1e-7 };

export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance = F32,
  what = 'result',
): void {
  const { rtol = F32.rtol, atol = F32.atol } = tol;
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const ok = Number.isNaN(e)
      ? Number.isNaN(a)
      : !Number.isFinite(e)
        ? a === e
        : Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!ok) {
      const rel = Math.abs(a - e) / Math.max(Math.abs(e), Number.MIN_VALUE);
      throw new Error(
        `${what}: first mismatch at index ${i} of ${expected.length}: got ${a}, expected ${e} ` +
          `(relative error ${rel.toExponential(2)}, tolerance rtol=${rtol} atol=${atol})`,
      );
    }
  }
}

/** A small deterministic generator for test data (not the library's Philox), so references are independent. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Float32 values in [-scale, scale) from a seeded generator. */
export function randomData(n: number, seed: number, scale = 1): Float32Array {
  const r = lcg(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (r() * 2 - 1) * scale;
  return out;
}
