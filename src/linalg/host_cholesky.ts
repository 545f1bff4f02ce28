// Cholesky factorisation and solves for small symmetric positive-definite systems, in float64 on the host:
// what the normal equations of linear regression need once X^T X has been formed on the device.
import { GradboxError } from '../errors';

/** Lower-triangular L with A = L L^T, for a symmetric positive-definite n x n matrix (row-major). */
export function cholesky(a: ArrayLike<number>, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= L[j * n + k] ** 2;
    if (!(d > 0)) {
      throw new GradboxError(
        `cholesky: the matrix is not positive definite (pivot ${j} is ${d}); the features may be collinear. ` +
          'Add a ridge penalty (e.g. { ridge: 1e-6 }) or remove duplicate features.',
      );
    }
    const ljj = Math.sqrt(d);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = s / ljj;
    }
  }
  return L;
}

/** Solves L L^T x = b for x given the Cholesky factor L; b has `cols` right-hand sides (n x cols). */
export function choleskySolve(L: Float64Array, n: number, b: ArrayLike<number>, cols = 1): Float64Array {
  const x = Float64Array.from(b);
  for (let c = 0; c < cols; c++) {
    for (let i = 0; i < n; i++) {
      let s = x[i * cols + c];
      for (let k = 0; k < i; k++) s -= L[i * n + k] * x[k * cols + c];
      x[i * cols + c] = s / L[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i * cols + c];
      for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k * cols + c];
      x[i * cols + c] = s / L[i * n + i];
    }
  }
  return x;
}
