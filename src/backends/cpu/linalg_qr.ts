// Householder QR on typed arrays, one matrix of a batch at a time: the CPU twin of shaders/linalg_qr.wgsl
// (the same reflectors, so the same signs), computed in float64 and rounded once to the storage's precision.
import { alloc, type CpuStorage } from './storage';

/**
 * The reflector H = I - tau v v^T (v[0] = 1) that maps the column (alpha, x[1:]) with |x[1:]|^2 = sigma to
 * beta e_0, beta >= 0: returns v0 (divide x[1:] by it for v), tau and beta. See house() in the shader.
 */
function house(alpha: number, sigma: number): [number, number, number] {
  if (sigma === 0) return alpha >= 0 ? [1, 0, alpha] : [1, 2, -alpha];
  const beta = Math.sqrt(alpha * alpha + sigma);
  const v0 = alpha > 0 ? -sigma / (alpha + beta) : alpha - beta;
  return [v0, (2 * v0 * v0) / (sigma + v0 * v0), beta];
}

/**
 * Reduced QR of `batch` m x n matrices, k = min(m, n): Q (batch, m, k) with orthonormal columns and
 * upper-triangular R (batch, k, n) with a diagonal >= 0.
 */
export function qr(x: CpuStorage, batch: number, m: number, n: number): { q: CpuStorage; r: CpuStorage } {
  const k = Math.min(m, n);
  const qOut = alloc(x.data, batch * m * k);
  const rOut = alloc(x.data, batch * k * n);
  const a = new Float64Array(m * n);
  const tau = new Float64Array(k);
  const col = new Float64Array(m);
  for (let b = 0; b < batch; b++) {
    for (let e = 0; e < m * n; e++) a[e] = x.data[b * m * n + e];
    for (let j = 0; j < k; j++) {
      let sigma = 0;
      for (let i = j + 1; i < m; i++) sigma += a[i * n + j] ** 2;
      const [v0, t, beta] = house(a[j * n + j], sigma);
      for (let i = j + 1; i < m; i++) a[i * n + j] /= v0;
      a[j * n + j] = beta;
      tau[j] = t;
      for (let c = j + 1; c < n; c++) {
        let w = a[j * n + c];
        for (let i = j + 1; i < m; i++) w += a[i * n + j] * a[i * n + c];
        w *= t;
        a[j * n + c] -= w;
        for (let i = j + 1; i < m; i++) a[i * n + c] -= w * a[i * n + j];
      }
    }
    for (let i = 0; i < k; i++)
      for (let c = 0; c < n; c++) rOut[(b * k + i) * n + c] = c >= i ? a[i * n + c] : 0;
    // Q's column c is H_0 ... H_c e_c (H_j for j > c leaves e_c alone).
    for (let c = 0; c < k; c++) {
      col.fill(0);
      col[c] = 1;
      for (let j = c; j >= 0; j--) {
        let w = col[j];
        for (let i = j + 1; i < m; i++) w += a[i * n + j] * col[i];
        w *= tau[j];
        col[j] -= w;
        for (let i = j + 1; i < m; i++) col[i] -= w * a[i * n + j];
      }
      for (let i = 0; i < m; i++) qOut[(b * m + i) * k + c] = col[i];
    }
  }
  return { q: { length: qOut.length, data: qOut }, r: { length: rOut.length, data: rOut } };
}
