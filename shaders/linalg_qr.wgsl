// Householder QR, A = Q R (reduced: Q (m, k), R (k, n), k = min(m, n)) with R's diagonal >= 0, for a batch
// of row-major m x n matrices. The factorisation leaves R on and above the diagonal of a work matrix and
// the reflectors' vectors below it (v[0] = 1 implied), their scales in `tau`; qr_finish then writes R and
// builds Q from them.
//   qr_small: one workgroup per matrix with the matrix in workgroup memory (m * n <= 4096), a column
//             step per iteration with a barrier between steps.
//   qr_thread: the same steps by one invocation per matrix in the work matrix in storage, without any
//             barrier: for many small matrices where barriers cost more than the parallelism gives.
//   qr_house + qr_apply: any size, one column per pair of dispatches on the work matrix in storage: the
//             reflector of column j (a workgroup per matrix, a tree reduction for the norm), then its
//             application to every later column (an invocation per matrix and column).
//   qr_finish: an invocation per matrix and column: R's column, and Q's column c as H_0 ... H_c e_c.
//   qr_panel: the blocked QR's panel step, a workgroup per tall panel (see its own comment below).

const WG: u32 = 64u;
const MAX_SHARED: u32 = 4096u;

struct Params {
  batch: u32,
  m: u32,
  n: u32,
  k: u32, // min(m, n)
  j: u32, // the column a qr_house / qr_apply dispatch works on
}

@group(0) @binding(0) var<uniform> p: Params;

// The reflector H = I - tau v v^T (v[0] = 1) with H x = beta e_0 and beta = |x| >= 0, for the column x whose
// first entry is alpha and whose other entries have squared norm sigma. Returns (v0, tau, beta): the rest
// of v is x[1:] / v0. v0 = alpha - beta would cancel for alpha > 0; -sigma / (alpha + beta) is the same
// number without cancellation (Golub and Van Loan, Algorithm 5.1.1), and v0 is never 0. A column that is
// already beta e_0 gets tau = 0 (H = I), or tau = 2 with v = e_0 when alpha < 0, to flip its sign.
fn house(alpha: f32, sigma: f32) -> vec3<f32> {
  if (sigma == 0.0) {
    if (alpha >= 0.0) { return vec3<f32>(1.0, 0.0, alpha); }
    return vec3<f32>(1.0, 2.0, -alpha);
  }
  let beta = sqrt(alpha * alpha + sigma);
  var v0 = alpha - beta;
  if (alpha > 0.0) { v0 = -sigma / (alpha + beta); }
  let v02 = v0 * v0;
  return vec3<f32>(v0, 2.0 * v02 / (sigma + v02), beta);
}

@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> small_work: array<f32>;
@group(0) @binding(3) var<storage, read_write> small_tau: array<f32>;

var<workgroup> a: array<f32, MAX_SHARED>;
var<workgroup> step_tau: f32;

@compute @workgroup_size(WG)
fn qr_small(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let b = wid.x + wid.y * nwg.x;
  if (b >= p.batch) { return; }
  let m = p.m;
  let n = p.n;
  let t = lid.x;
  let base = b * m * n;
  for (var e = t; e < m * n; e += WG) { a[e] = src[base + e]; }
  workgroupBarrier();
  for (var j = 0u; j < p.k; j++) {
    // Column j's reflector: serial over m - j rows, as short as the column updates that follow.
    if (t == 0u) {
      var sigma = 0.0;
      for (var i = j + 1u; i < m; i++) { sigma += a[i * n + j] * a[i * n + j]; }
      let h = house(a[j * n + j], sigma);
      for (var i = j + 1u; i < m; i++) { a[i * n + j] /= h.x; }
      a[j * n + j] = h.z;
      step_tau = h.y;
      small_tau[b * p.k + j] = h.y;
    }
    workgroupBarrier();
    let tj = step_tau;
    for (var c = j + 1u + t; c < n; c += WG) {
      var w = a[j * n + c];
      for (var i = j + 1u; i < m; i++) { w += a[i * n + j] * a[i * n + c]; }
      w *= tj;
      a[j * n + c] -= w;
      for (var i = j + 1u; i < m; i++) { a[i * n + c] -= w * a[i * n + j]; }
    }
    workgroupBarrier();
  }
  for (var e = t; e < m * n; e += WG) { small_work[base + e] = a[e]; }
}

// qr_small's steps, one invocation per matrix, in small_work.
@compute @workgroup_size(WG)
fn qr_thread(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let b = flat_id(gid, nwg, WG);
  if (b >= p.batch) { return; }
  let m = p.m;
  let n = p.n;
  let base = b * m * n;
  for (var e = 0u; e < m * n; e++) { small_work[base + e] = src[base + e]; }
  for (var j = 0u; j < p.k; j++) {
    var sigma = 0.0;
    for (var i = j + 1u; i < m; i++) { sigma += small_work[base + i * n + j] * small_work[base + i * n + j]; }
    let h = house(small_work[base + j * n + j], sigma);
    for (var i = j + 1u; i < m; i++) { small_work[base + i * n + j] /= h.x; }
    small_work[base + j * n + j] = h.z;
    small_tau[b * p.k + j] = h.y;
    for (var c = j + 1u; c < n; c++) {
      var w = small_work[base + j * n + c];
      for (var i = j + 1u; i < m; i++) { w += small_work[base + i * n + j] * small_work[base + i * n + c]; }
      w *= h.y;
      small_work[base + j * n + c] -= w;
      for (var i = j + 1u; i < m; i++) { small_work[base + i * n + c] -= w * small_work[base + i * n + j]; }
    }
  }
}

@group(0) @binding(1) var<storage, read_write> work: array<f32>;
@group(0) @binding(2) var<storage, read_write> tau: array<f32>;

var<workgroup> partial: array<f32, WG>;
var<workgroup> step_v0: f32;

// The reflector of column p.j of every matrix: a workgroup per matrix.
@compute @workgroup_size(WG)
fn qr_house(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let b = wid.x + wid.y * nwg.x;
  if (b >= p.batch) { return; }
  let m = p.m;
  let n = p.n;
  let j = p.j;
  let t = lid.x;
  let base = b * m * n;
  var s = 0.0;
  for (var i = j + 1u + t; i < m; i += WG) { s += work[base + i * n + j] * work[base + i * n + j]; }
  partial[t] = s;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (t < half) { partial[t] += partial[t + half]; }
    workgroupBarrier();
  }
  if (t == 0u) {
    let h = house(work[base + j * n + j], partial[0]);
    work[base + j * n + j] = h.z;
    tau[b * p.k + j] = h.y;
    step_v0 = h.x;
  }
  workgroupBarrier();
  let v0 = step_v0;
  for (var i = j + 1u + t; i < m; i += WG) { work[base + i * n + j] /= v0; }
}

// H_j applied to the columns after p.j: an invocation per (matrix, column), neighbours on neighbouring columns.
@compute @workgroup_size(WG)
fn qr_apply(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = flat_id(gid, nwg, WG);
  let j = p.j;
  let m = p.m;
  let n = p.n;
  let cols = n - j - 1u;
  if (id >= p.batch * cols) { return; }
  let b = id / cols;
  let c = j + 1u + id % cols;
  let base = b * m * n;
  var w = work[base + j * n + c];
  for (var i = j + 1u; i < m; i++) { w += work[base + i * n + j] * work[base + i * n + c]; }
  w *= tau[b * p.k + j];
  work[base + j * n + c] -= w;
  for (var i = j + 1u; i < m; i++) { work[base + i * n + c] -= w * work[base + i * n + j]; }
}

@group(0) @binding(1) var<storage, read> packed: array<f32>;
@group(0) @binding(2) var<storage, read> packed_tau: array<f32>;
@group(0) @binding(3) var<storage, read_write> q: array<f32>;
@group(0) @binding(4) var<storage, read_write> r: array<f32>;

// R's column c (k rows, zero below the diagonal) and, for c < k, Q's column c: e_c with the reflectors
// H_c, ..., H_0 applied in turn (H_j for j > c leaves e_c alone). An invocation per (matrix, column).
@compute @workgroup_size(WG)
fn qr_finish(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = flat_id(gid, nwg, WG);
  let m = p.m;
  let n = p.n;
  let k = p.k;
  if (id >= p.batch * n) { return; }
  let b = id / n;
  let c = id % n;
  let base = b * m * n;
  for (var i = 0u; i < k; i++) { r[(b * k + i) * n + c] = select(0.0, packed[base + i * n + c], i <= c); }
  if (c >= k) { return; }
  let qb = b * m * k;
  for (var i = 0u; i < m; i++) { q[qb + i * k + c] = select(0.0, 1.0, i == c); }
  for (var s = 0u; s <= c; s++) {
    let j = c - s;
    var w = q[qb + j * k + c];
    for (var i = j + 1u; i < m; i++) { w += packed[base + i * n + j] * q[qb + i * k + c]; }
    w *= packed_tau[b * k + j];
    q[qb + j * k + c] -= w;
    for (var i = j + 1u; i < m; i++) { q[qb + i * k + c] -= w * packed[base + i * n + j]; }
  }
}

// qr_panel: the panel step of the blocked QR (src/linalg/blocked_qr.ts) for m x b panels, m >= b, b <= 64
// (p.n is b). One workgroup per panel, working in the V output in storage: a panel of a 2048-row matrix is
// past workgroup memory. The work of each column step is spread over all invocations: with `cols` columns
// left to update, invocation t takes column t % cols and the rows i = t / cols (mod 256 / cols). Per column
// j, three phases with a barrier after each:
//   U: H_(j-1) applied to columns j.. (its w from D's partial dot products), and column j's squared norm
//      below row j;
//   H: column j's reflector, by one invocation;
//   D: partial dot products of column j's vector with the later columns, and column j - 1 scaled to v.
// Column j keeps x (its entries before the division by v0) until U of the next column has used it:
// dividing in place while others read it would race. Then R, unit-lower V, S = V^T V in workgroup
// memory, and T row by row (row p of T needs only row p: T[p][i] = -tau_i sum_q T[p][q] S[q][i]).
const PANEL_WG: u32 = 256u;
const PANEL_MAX: u32 = 64u;

@group(0) @binding(1) var<storage, read> panel_src: array<f32>;
@group(0) @binding(2) var<storage, read_write> panel_v: array<f32>;
@group(0) @binding(3) var<storage, read_write> panel_t: array<f32>;
@group(0) @binding(4) var<storage, read_write> panel_r: array<f32>;

var<workgroup> panel_dots: array<f32, PANEL_WG>;
var<workgroup> panel_norms: array<f32, PANEL_WG>;
var<workgroup> panel_tau: array<f32, PANEL_MAX>;
var<workgroup> panel_v0: array<f32, PANEL_MAX>;
var<workgroup> panel_gram: array<f32, 4096>; // PANEL_MAX * PANEL_MAX

// Every invocation has finished the previous phase and sees its writes to storage.
fn panel_sync() {
  storageBarrier();
  workgroupBarrier();
}

@compute @workgroup_size(PANEL_WG)
fn qr_panel(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let z = wid.x + wid.y * nwg.x;
  if (z >= p.batch) { return; }
  let m = p.m;
  let nb = p.n;
  let t = lid.x;
  let base = z * m * nb;
  for (var e = t; e < m * nb; e += PANEL_WG) { panel_v[base + e] = panel_src[base + e]; }
  panel_sync();
  for (var j = 0u; j < nb; j++) {
    // U: columns j.. (cols of them), this invocation's column c and row group g of `groups`.
    let cols = nb - j;
    let groups = PANEL_WG / cols;
    let c = j + t % cols;
    let g = t / cols;
    var sq = 0.0;
    if (g < groups) {
      if (j > 0u) {
        let jp = j - 1u;
        let v0 = panel_v0[jp];
        var d = 0.0;
        for (var h = 0u; h < groups; h++) { d += panel_dots[h * cols + c - j]; }
        // d = v0 (v . a_c), see D.
        let w = panel_tau[jp] * (d / v0);
        for (var i = jp + g; i < m; i += groups) {
          let vi = select(panel_v[base + i * nb + jp] / v0, 1.0, i == jp);
          let updated = panel_v[base + i * nb + c] - w * vi;
          panel_v[base + i * nb + c] = updated;
          if (c == j && i > j) { sq += updated * updated; }
        }
      } else if (c == j) {
        for (var i = j + 1u + g; i < m; i += groups) { sq += panel_v[base + i * nb + j] * panel_v[base + i * nb + j]; }
      }
    }
    panel_norms[t] = sq;
    panel_sync();
    // H
    if (t == 0u) {
      var sigma = 0.0;
      for (var h = 0u; h < groups; h++) { sigma += panel_norms[h * cols]; }
      let hv = house(panel_v[base + j * nb + j], sigma);
      panel_v[base + j * nb + j] = hv.z;
      panel_tau[j] = hv.y;
      panel_v0[j] = hv.x;
    }
    panel_sync();
    // D: over the columns after j, with the layout U of the next column reads them in; row j counts v0
    // (x_j of the vector x = v0 v), so each partial sums v0 (v . a_c).
    let later = cols - 1u;
    var dsum = 0.0;
    if (later > 0u && t / later < PANEL_WG / later) {
      let lg = PANEL_WG / later;
      let lc = j + 1u + t % later;
      let v0 = panel_v0[j];
      for (var i = j + t / later; i < m; i += lg) {
        let xi = select(panel_v[base + i * nb + j], v0, i == j);
        dsum += xi * panel_v[base + i * nb + lc];
      }
    }
    panel_dots[t] = dsum;
    if (j > 0u) {
      let v0 = panel_v0[j - 1u];
      for (var i = j + t; i < m; i += PANEL_WG) { panel_v[base + i * nb + j - 1u] /= v0; }
    }
    panel_sync();
  }
  let last = nb - 1u;
  for (var i = nb + t; i < m; i += PANEL_WG) { panel_v[base + i * nb + last] /= panel_v0[last]; }
  panel_sync();
  // R from the top b x b block, and V's ones and zeros in its place.
  let tb = z * nb * nb;
  for (var e = t; e < nb * nb; e += PANEL_WG) {
    let on_or_above = e % nb >= e / nb;
    panel_r[tb + e] = select(0.0, panel_v[base + e], on_or_above);
    if (on_or_above) { panel_v[base + e] = select(0.0, 1.0, e % nb == e / nb); }
  }
  panel_sync();
  // S[q][i] = v_q . v_i for q < i: v_i is 0 above row i and 1 on it.
  for (var e = t; e < nb * nb; e += PANEL_WG) {
    let q = e / nb;
    let i = e % nb;
    var s = 0.0;
    if (q < i) {
      for (var row = i; row < m; row++) { s += panel_v[base + row * nb + q] * panel_v[base + row * nb + i]; }
    }
    panel_gram[e] = s;
  }
  workgroupBarrier();
  if (t < nb) {
    for (var i = 0u; i < nb; i++) {
      var ti = 0.0;
      if (i == t) {
        ti = panel_tau[t];
      } else if (i > t) {
        var s = 0.0;
        for (var q = t; q < i; q++) { s += panel_t[tb + t * nb + q] * panel_gram[q * nb + i]; }
        ti = -panel_tau[i] * s;
      }
      panel_t[tb + t * nb + i] = ti;
    }
  }
}
