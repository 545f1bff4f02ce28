// Householder QR on typed arrays, one matrix of a batch at a time: the CPU twins of shaders/linalg_qr.wgsl
// and of the blocked QR's panel kernel (shaders/linalg_qr_panel.wgsl), the same reflectors, so the same
// signs, computed in float64 and rounded once to the storage's precision.
import { GradboxError } from '../../errors';
import { qrPanelRefusal } from '../backend';
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
 * Householder QR of the row-major m x n matrix a in place, k = min(m, n) reflectors: R on and above the
 * diagonal, each reflector's vector below it (v[0] = 1 implied), its scale in tau.
 */
function factor(a: Float64Array, m: number, n: number, tau: Float64Array): void {
  for (let j = 0; j < Math.min(m, n); j++) {
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
    factor(a, m, n, tau);
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

/**
 * The panel step of the blocked QR: Householder QR of `batch` m x b panels (m >= b), the same reflectors
 * as qr(); see Backend.qrPanel. Returns V (batch, m, b), unit lower trapezoidal (the reflectors' vectors, ones on the diagonal,
 * zeros above), T (batch, b, b) upper triangular with H_0 ... H_(b-1) = I - V T V^T (LAPACK's larft,
 * forward and columnwise), and R (batch, b, b) upper triangular with its diagonal >= 0.
 */
export function qrPanel(
  x: CpuStorage,
  batch: number,
  m: number,
  nb: number,
): { v: CpuStorage; t: CpuStorage; r: CpuStorage } {
  const refusal = qrPanelRefusal(m, nb);
  if (refusal) throw new GradboxError(refusal);
  const vOut = alloc(x.data, batch * m * nb);
  const tOut = alloc(x.data, batch * nb * nb);
  const rOut = alloc(x.data, batch * nb * nb);
  const a = new Float64Array(m * nb);
  const tau = new Float64Array(nb);
  const T = new Float64Array(nb * nb);
  const S = new Float64Array(nb * nb);
  for (let b = 0; b < batch; b++) {
    for (let e = 0; e < m * nb; e++) a[e] = x.data[b * m * nb + e];
    factor(a, m, nb, tau);
    const v = (i: number, c: number) => (i > c ? a[i * nb + c] : i === c ? 1 : 0);
    for (let i = 0; i < m; i++) for (let c = 0; c < nb; c++) vOut[(b * m + i) * nb + c] = v(i, c);
    for (let i = 0; i < nb; i++)
      for (let c = 0; c < nb; c++) rOut[(b * nb + i) * nb + c] = c >= i ? a[i * nb + c] : 0;
    // S[q][i] = v_q . v_i for q < i (v_i is 0 above row i), then each row p of T by itself:
    // T[p][p] = tau_p, T[p][i] = -tau_i sum_{q=p}^{i-1} T[p][q] S[q][i].
    for (let q = 0; q < nb; q++)
      for (let i = q + 1; i < nb; i++) {
        let s = 0;
        for (let r = i; r < m; r++) s += v(r, q) * v(r, i);
        S[q * nb + i] = s;
      }
    T.fill(0);
    for (let p = 0; p < nb; p++) {
      T[p * nb + p] = tau[p];
      for (let i = p + 1; i < nb; i++) {
        let s = 0;
        for (let q = p; q < i; q++) s += T[p * nb + q] * S[q * nb + i];
        T[p * nb + i] = -tau[i] * s;
      }
    }
    tOut.set(T, b * nb * nb);
  }
  return {
    v: { length: vOut.length, data: vOut },
    t: { length: tOut.length, data: tOut },
    r: { length: rOut.length, data: rOut },
  };
}
