// float64 references for the linalg tests, one matrix at a time: the plainest loops that state the
// definitions (Cholesky column by column, Gaussian elimination with partial pivoting).

/** Cholesky factor of one n x n matrix, column by column (the definition of L L^T = A). */
export function refCholesky(a: ArrayLike<number>, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= L[j * n + k] ** 2;
    L[j * n + j] = Math.sqrt(d);
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = s / L[j * n + j];
    }
  }
  return L;
}

/** Gaussian elimination with partial pivoting on [A | B]: X = A^-1 B, and det(A). */
export function refSolve(a: ArrayLike<number>, b: ArrayLike<number>, n: number, k: number) {
  const A = Float64Array.from(a);
  const X = Float64Array.from(b);
  let det = 1;
  for (let j = 0; j < n; j++) {
    let p = j;
    for (let i = j + 1; i < n; i++) if (Math.abs(A[i * n + j]) > Math.abs(A[p * n + j])) p = i;
    if (p !== j) {
      det = -det;
      for (let c = 0; c < n; c++) [A[j * n + c], A[p * n + c]] = [A[p * n + c], A[j * n + c]];
      for (let c = 0; c < k; c++) [X[j * k + c], X[p * k + c]] = [X[p * k + c], X[j * k + c]];
    }
    det *= A[j * n + j];
    for (let i = j + 1; i < n; i++) {
      const l = A[i * n + j] / A[j * n + j];
      for (let c = j; c < n; c++) A[i * n + c] -= l * A[j * n + c];
      for (let c = 0; c < k; c++) X[i * k + c] -= l * X[j * k + c];
    }
  }
  for (let i = n - 1; i >= 0; i--)
    for (let c = 0; c < k; c++) {
      let s = X[i * k + c];
      for (let j = i + 1; j < n; j++) s -= A[i * n + j] * X[j * k + c];
      X[i * k + c] = s / A[i * n + i];
    }
  return { x: X, det };
}
