// Symmetric eigendecomposition (two-sided Jacobi) and SVD (one-sided Jacobi), one workgroup per matrix
// (eigh, svd) or, for batches of small matrices, one invocation per matrix (eigh_thread, svd_thread, below).
// Each round of a sweep rotates n/2 disjoint pairs at once (round-robin pairing): a barrier, every pair's
// rotation computed by its own invocation, a barrier, then all rotations applied together. A sweep (n-1
// rounds) that rotates nothing ends the iteration; p.max_sweeps caps it. With IN_SHARED the work matrix
// and the rotations live in workgroup memory; without it, in the scratch buffer (any n, slower).

override WG: u32 = 64u;
override IN_SHARED: bool = true;
override SHARED_LEN: u32 = 2080u; // work matrix elements in workgroup memory (1 without IN_SHARED)
override ROT_LEN: u32 = 96u;      // (c, s, t) of up to 32 pairs (1 without IN_SHARED)

// float32 epsilon: a pair is rotated while its off-diagonal entry (or inner product) is above this,
// relative to the geometric mean of the two diagonal entries (or squared norms).
const EPS: f32 = 1.1920929e-7;
// After scaling to max|a| in [1, 4), eigh's off-diagonal entries below eps^2 count as 0.
const FLOOR: f32 = 1.4210855e-14;
// A work column of the SVD with a norm below this has no direction (scaled units).
const ZERO_COLUMN: f32 = 1e-15;

struct Params {
  batch: u32,
  rows: u32,          // eigh: n; svd: m
  cols: u32,          // eigh: n; svd: n
  max_sweeps: u32,
  scratch_stride: u32, // scratch elements per matrix: V first (cols x cols, or k x k), then:
  work_off: u32,       // the work matrix, without IN_SHARED
  rot_off: u32,        // the rotations, without IN_SHARED
  aux_off: u32,        // per column: eigh rank, sign; svd norm, rank, sign, order
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> scratch: array<f32>;

var<workgroup> work: array<f32, SHARED_LEN>;
var<workgroup> rot: array<f32, ROT_LEN>;
var<workgroup> amax: atomic<u32>;
var<workgroup> rotated: atomic<u32>;
var<workgroup> pick: atomic<u32>;
var<workgroup> flag: u32;
var<workgroup> shared_norm: f32;

fn wld(sb: u32, e: u32) -> f32 {
  if (IN_SHARED) { return work[e]; }
  return scratch[sb + p.work_off + e];
}

fn wst(sb: u32, e: u32, v: f32) {
  if (IN_SHARED) { work[e] = v; } else { scratch[sb + p.work_off + e] = v; }
}

fn rld(sb: u32, e: u32) -> f32 {
  if (IN_SHARED) { return rot[e]; }
  return scratch[sb + p.rot_off + e];
}

fn rst(sb: u32, e: u32, v: f32) {
  if (IN_SHARED) { rot[e] = v; } else { scratch[sb + p.rot_off + e] = v; }
}

// Every invocation sees the others' writes to the work matrix and rotations.
fn sync_work() {
  workgroupBarrier();
  if (!IN_SHARED) { storageBarrier(); }
}

// ... and to everything in the scratch buffer.
fn sync_all() {
  workgroupBarrier();
  storageBarrier();
}

// Pair k of round r of a round-robin tournament of m (even) players: position 0 stays, the others turn.
fn round_robin(k: u32, r: u32, m: u32) -> vec2<u32> {
  let a = select(1u + (k - 1u + r) % (m - 1u), 0u, k == 0u);
  let b = 1u + (m - 2u - k + r) % (m - 1u);
  return vec2<u32>(a, b);
}

// The rotation [[c, s], [-s, c]] that diagonalises [[app, apq], [apq, aqq]]: (c, s, t = s / c).
fn rotation(app: f32, aqq: f32, apq: f32) -> vec3<f32> {
  let theta = (aqq - app) / (2.0 * apq);
  var t = 0.5 / theta; // theta^2 would overflow
  if (abs(theta) < 1e18) {
    t = select(-1.0, 1.0, theta >= 0.0) / (abs(theta) + sqrt(1.0 + theta * theta));
  }
  let c = 1.0 / sqrt(1.0 + t * t);
  return vec3<f32>(c, t * c, t);
}

// Max |x| over a matrix of `len` elements at src[at..], as bits (NaN above +Inf), shared by the workgroup.
fn max_abs_bits(at: u32, len: u32, t: u32) -> u32 {
  if (t == 0u) { atomicStore(&amax, 0u); }
  workgroupBarrier();
  var mx = 0u;
  for (var e = t; e < len; e += WG) { mx = max(mx, bitcast<u32>(src[at + e]) & 0x7fffffffu); }
  atomicMax(&amax, mx);
  workgroupBarrier();
  if (t == 0u) { flag = atomicLoad(&amax); }
  return workgroupUniformLoad(&flag);
}

// The biased exponent of a power of two near max|A| (so scaling by it is exact): max / 2^(e-127) in [1, 4).
fn scale_exponent(bits: u32) -> u32 {
  let e = (bits >> 23u) & 0xffu;
  if (e == 0u) { return 127u; } // zero (or subnormal): no scaling
  return min(e, 253u);
}

fn pow2(biased: u32) -> f32 { return bitcast<f32>(biased << 23u); }

// Starts a sweep: clears the count of rotations.
fn begin_sweep(t: u32) {
  if (t == 0u) { atomicStore(&rotated, 0u); }
  workgroupBarrier();
}

// Ends a sweep: true (for the whole workgroup) when it rotated nothing.
fn converged(t: u32) -> bool {
  if (t == 0u) { flag = atomicLoad(&rotated); }
  return workgroupUniformLoad(&flag) == 0u;
}

// (scratch[a], scratch[d]) <- (c x - s y, s x + c y): one row of a rotation of two columns.
fn rotate_scratch(a: u32, d: u32, c: f32, s: f32) {
  let x = scratch[a];
  let y = scratch[d];
  scratch[a] = c * x - s * y;
  scratch[d] = s * x + c * y;
}

// Rotates columns p, q of row `row` of V (scratch, `cols` wide) by every pair of round r.
fn rotate_v_row(sb: u32, row: u32, r: u32, m: u32, cols: u32) {
  for (var k = 0u; k < m / 2u; k++) {
    let pq = round_robin(k, r, m);
    let s = rld(sb, 3u * k + 1u);
    if (s == 0.0) { continue; }
    rotate_scratch(sb + row * cols + pq.x, sb + row * cols + pq.y, rld(sb, 3u * k), s);
  }
}

// +1 or -1: makes the largest-magnitude of `len` values at scratch[at + i * stride] (the first of equals)
// positive.
fn sign_of_column(at: u32, stride: u32, len: u32) -> f32 {
  var best = 0.0;
  for (var i = 0u; i < len; i++) {
    let v = scratch[at + i * stride];
    if (abs(v) > abs(best)) { best = v; }
  }
  return select(1.0, -1.0, best < 0.0);
}

// The Euclidean norm of `len` values at scratch[at + i * stride].
fn norm_of_column(at: u32, stride: u32, len: u32) -> f32 {
  var ss = 0.0;
  for (var i = 0u; i < len; i++) {
    let v = scratch[at + i * stride];
    ss += v * v;
  }
  return sqrt(ss);
}

// The same for `len` work-matrix values from element `at`, consecutive.
fn sign_of_column_w(sb: u32, at: u32, len: u32) -> f32 {
  var best = 0.0;
  for (var i = 0u; i < len; i++) {
    let v = wld(sb, at + i);
    if (abs(v) > abs(best)) { best = v; }
  }
  return select(1.0, -1.0, best < 0.0);
}

// ---- eigh -----------------------------------------------------------------------------------------

@group(0) @binding(3) var<storage, read_write> eig_values: array<f32>;
@group(0) @binding(4) var<storage, read_write> eig_vectors: array<f32>;

// The work matrix is the packed lower triangle: element (i, j), i >= j, at i (i + 1) / 2 + j.
fn tri(i: u32, j: u32) -> u32 {
  let hi = max(i, j);
  return hi * (hi + 1u) / 2u + min(i, j);
}

// (K, L) with K >= L from the packed index e = K (K + 1) / 2 + L.
fn untri(e: u32) -> vec2<u32> {
  var k = u32((sqrt(8.0 * f32(e) + 1.0) - 1.0) * 0.5);
  while (k * (k + 1u) / 2u > e) { k--; }
  while ((k + 1u) * (k + 2u) / 2u <= e) { k++; }
  return vec2<u32>(k, e - k * (k + 1u) / 2u);
}

fn tri_ld(sb: u32, i: u32, j: u32, n: u32) -> f32 {
  if (i >= n || j >= n) { return 0.0; } // the dummy player of an odd n
  return wld(sb, tri(i, j));
}

fn tri_st(sb: u32, i: u32, j: u32, n: u32, v: f32) {
  if (i < n && j < n) { wst(sb, tri(i, j), v); }
}

// A <- P_K^T A P_L on the 2 x 2 block of rows of pair K and columns of pair L (K > L), or the exact
// update of the diagonal block of pair K (K == L): its off-diagonal entry becomes 0.
fn eigh_block(sb: u32, kk: u32, ll: u32, r: u32, m: u32, n: u32) {
  let K = round_robin(kk, r, m);
  let cK = rld(sb, 3u * kk);
  let sK = rld(sb, 3u * kk + 1u);
  if (kk == ll) {
    let tK = rld(sb, 3u * kk + 2u);
    if (tK == 0.0) { return; }
    let apq = wld(sb, tri(K.x, K.y));
    wst(sb, tri(K.x, K.x), wld(sb, tri(K.x, K.x)) - tK * apq);
    wst(sb, tri(K.y, K.y), wld(sb, tri(K.y, K.y)) + tK * apq);
    wst(sb, tri(K.x, K.y), 0.0);
    return;
  }
  let L = round_robin(ll, r, m);
  let cL = rld(sb, 3u * ll);
  let sL = rld(sb, 3u * ll + 1u);
  if (sK == 0.0 && sL == 0.0) { return; }
  let m00 = tri_ld(sb, K.x, L.x, n);
  let m01 = tri_ld(sb, K.x, L.y, n);
  let m10 = tri_ld(sb, K.y, L.x, n);
  let m11 = tri_ld(sb, K.y, L.y, n);
  let x00 = cL * m00 - sL * m01;
  let x01 = sL * m00 + cL * m01;
  let x10 = cL * m10 - sL * m11;
  let x11 = sL * m10 + cL * m11;
  tri_st(sb, K.x, L.x, n, cK * x00 - sK * x10);
  tri_st(sb, K.x, L.y, n, cK * x01 - sK * x11);
  tri_st(sb, K.y, L.x, n, sK * x00 + cK * x10);
  tri_st(sb, K.y, L.y, n, sK * x01 + cK * x11);
}

@compute @workgroup_size(WG)
fn eigh(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let b = wid.x + wid.y * nwg.x;
  if (b >= p.batch) { return; }
  let n = p.cols;
  let t = lid.x;
  let sb = b * p.scratch_stride;
  let a0 = b * n * n;
  let bits = max_abs_bits(a0, n * n, t);
  if (bits >= 0x7f800000u) {
    for (var e = t; e < n * n; e += WG) { eig_vectors[a0 + e] = nan_f32(); }
    for (var i = t; i < n; i += WG) { eig_values[b * n + i] = nan_f32(); }
    return;
  }
  let ex = scale_exponent(bits);
  let inv = pow2(254u - ex);
  // The symmetric part, scaled; V = I.
  for (var e = t; e < n * n; e += WG) {
    let i = e / n;
    let j = e % n;
    if (j <= i) { wst(sb, tri(i, j), (0.5 * src[a0 + i * n + j] + 0.5 * src[a0 + j * n + i]) * inv); }
    scratch[sb + e] = select(0.0, 1.0, i == j);
  }
  sync_all();
  let m = n + (n & 1u); // an odd n gets a dummy player n: its pairs never rotate
  let pairs = m / 2u;
  let blocks = pairs * (pairs + 1u) / 2u;
  for (var sweep = 0u; sweep < p.max_sweeps; sweep++) {
    begin_sweep(t);
    for (var r = 0u; r + 1u < m; r++) {
      for (var k = t; k < pairs; k += WG) {
        let pq = round_robin(k, r, m);
        var cst = vec3<f32>(1.0, 0.0, 0.0);
        if (pq.x < n && pq.y < n) {
          let app = wld(sb, tri(pq.x, pq.x));
          let aqq = wld(sb, tri(pq.y, pq.y));
          let apq = wld(sb, tri(pq.x, pq.y));
          if (abs(apq) > max(EPS * sqrt(abs(app * aqq)), FLOOR)) {
            cst = rotation(app, aqq, apq);
            atomicAdd(&rotated, 1u);
          }
        }
        rst(sb, 3u * k, cst.x);
        rst(sb, 3u * k + 1u, cst.y);
        rst(sb, 3u * k + 2u, cst.z);
      }
      sync_work();
      for (var e = t; e < blocks; e += WG) {
        let kl = untri(e);
        eigh_block(sb, kl.x, kl.y, r, m, n);
      }
      // Each invocation owns rows of V: no other invocation reads them until the end.
      for (var i = t; i < n; i += WG) { rotate_v_row(sb, i, r, m, n); }
      sync_work();
    }
    if (converged(t)) { break; }
  }
  sync_all();
  // Eigenvalues in ascending order (ties by index), each vector's sign, then the vectors in that order.
  let aux = sb + p.aux_off;
  let sc = pow2(ex);
  for (var i = t; i < n; i += WG) {
    let li = wld(sb, tri(i, i));
    var rank = 0u;
    for (var j = 0u; j < n; j++) {
      let lj = wld(sb, tri(j, j));
      if (lj < li || (lj == li && j < i)) { rank++; }
    }
    eig_values[b * n + rank] = li * sc;
    scratch[aux + i] = f32(rank);
    // Rounded rotations are orthogonal only to a few ulps and drift V's column norms over the sweeps
    // (~n eps at n = 64): normalising the columns removes that drift.
    scratch[aux + n + i] = sign_of_column(sb + i, n, n) / norm_of_column(sb + i, n, n);
  }
  sync_all();
  for (var e = t; e < n * n; e += WG) {
    let i = e % n;
    eig_vectors[a0 + (e - i) + u32(scratch[aux + i])] = scratch[aux + n + i] * scratch[sb + e];
  }
}

// ---- svd ------------------------------------------------------------------------------------------

@group(0) @binding(3) var<storage, read_write> svd_u: array<f32>;
@group(0) @binding(4) var<storage, read_write> svd_s: array<f32>;
@group(0) @binding(5) var<storage, read_write> svd_vt: array<f32>;

// The work matrix W (R x C, R = max(m, n), C = min(m, n)) is A, or A^T for a wide A, stored by columns:
// W[i, j] at j R + i. Its columns are rotated until orthogonal; V (C x C) collects the rotations.

@compute @workgroup_size(WG)
fn svd(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let b = wid.x + wid.y * nwg.x;
  if (b >= p.batch) { return; }
  let m = p.rows;
  let n = p.cols;
  let tall = m >= n;
  let R = max(m, n);
  let C = min(m, n);
  let t = lid.x;
  let sb = b * p.scratch_stride;
  let a0 = b * m * n;
  let bits = max_abs_bits(a0, m * n, t);
  if (bits >= 0x7f800000u) {
    for (var e = t; e < m * C; e += WG) { svd_u[b * m * C + e] = nan_f32(); }
    for (var e = t; e < C * n; e += WG) { svd_vt[b * C * n + e] = nan_f32(); }
    for (var e = t; e < C; e += WG) { svd_s[b * C + e] = nan_f32(); }
    return;
  }
  let ex = scale_exponent(bits);
  let inv = pow2(254u - ex);
  for (var e = t; e < m * n; e += WG) {
    let i = e / n;
    let j = e % n;
    let v = src[a0 + e] * inv;
    if (tall) { wst(sb, j * R + i, v); } else { wst(sb, i * R + j, v); }
  }
  for (var e = t; e < C * C; e += WG) { scratch[sb + e] = select(0.0, 1.0, e / C == e % C); }
  sync_all();
  let mm = C + (C & 1u);
  let pairs = mm / 2u;
  // Rounding leaves inner products of orthogonal columns at ~sqrt(R) eps |w_p| |w_q|.
  let tol = EPS * max(1.0, sqrt(f32(R)));
  for (var sweep = 0u; sweep < p.max_sweeps; sweep++) {
    begin_sweep(t);
    for (var r = 0u; r + 1u < mm; r++) {
      for (var k = t; k < pairs; k += WG) {
        let pq = round_robin(k, r, mm);
        var cst = vec3<f32>(1.0, 0.0, 0.0);
        if (pq.x < C && pq.y < C) {
          var alpha = 0.0;
          var beta = 0.0;
          var gamma = 0.0;
          for (var i = 0u; i < R; i++) {
            let wp = wld(sb, pq.x * R + i);
            let wq = wld(sb, pq.y * R + i);
            alpha += wp * wp;
            beta += wq * wq;
            gamma += wp * wq;
          }
          let z2 = ZERO_COLUMN * ZERO_COLUMN;
          // No absolute floor here: columns of rounding noise (a rank-deficient A) must still become
          // orthogonal to each other, as they become columns of u.
          if (alpha > z2 && beta > z2 && abs(gamma) > tol * sqrt(alpha * beta)) {
            cst = rotation(alpha, beta, gamma);
            atomicAdd(&rotated, 1u);
          }
        }
        rst(sb, 3u * k, cst.x);
        rst(sb, 3u * k + 1u, cst.y);
        rst(sb, 3u * k + 2u, cst.z);
      }
      sync_work();
      for (var i = t; i < R; i += WG) {
        for (var k = 0u; k < pairs; k++) {
          let s = rld(sb, 3u * k + 1u);
          if (s == 0.0) { continue; }
          let c = rld(sb, 3u * k);
          let pq = round_robin(k, r, mm);
          let wp = wld(sb, pq.x * R + i);
          let wq = wld(sb, pq.y * R + i);
          wst(sb, pq.x * R + i, c * wp - s * wq);
          wst(sb, pq.y * R + i, s * wp + c * wq);
        }
      }
      for (var i = t; i < C; i += WG) { rotate_v_row(sb, i, r, mm, C); }
      sync_work();
    }
    if (converged(t)) { break; }
  }
  sync_all();
  // aux: norm (C), rank (C), sign (C), order (C: the column of each rank), V's column norms (C).
  let aux = sb + p.aux_off;
  for (var j = t; j < C; j += WG) {
    var ss = 0.0;
    for (var i = 0u; i < R; i++) {
      let w = wld(sb, j * R + i);
      ss += w * w;
    }
    scratch[aux + j] = sqrt(ss);
    // W = A V holds through the rotations even where rounding drifts their scale (|c|^2 + |s|^2 != 1 by a
    // few ulps), so s_j = |w_j| / |v_j| and V's columns are normalised on output.
    scratch[aux + 4u * C + j] = norm_of_column(sb + j, C, C);
  }
  sync_all();
  let sc = pow2(ex);
  if (t == 0u) { atomicStore(&pick, 0u); }
  workgroupBarrier();
  for (var j = t; j < C; j += WG) {
    let nj = scratch[aux + j];
    let sj = nj / scratch[aux + 4u * C + j];
    var rank = 0u;
    for (var i = 0u; i < C; i++) {
      let si = scratch[aux + i] / scratch[aux + 4u * C + i];
      if (si > sj || (si == sj && i < j)) { rank++; }
    }
    scratch[aux + C + j] = f32(rank);
    scratch[aux + 3u * C + rank] = f32(j);
    svd_s[b * C + rank] = sj * sc;
    if (nj > ZERO_COLUMN) { atomicAdd(&pick, 1u); }
  }
  sync_all();
  if (t == 0u) { flag = atomicLoad(&pick); }
  let with_direction = workgroupUniformLoad(&flag);
  for (var e = t; e < R * C; e += WG) {
    let nj = scratch[aux + e / R];
    if (nj > ZERO_COLUMN) { wst(sb, e, wld(sb, e) / nj); }
  }
  sync_all();
  // Columns without a direction come last in rank order; each becomes the unit vector orthogonal to the
  // columns before it that is closest to the e_c they cover least (classical Gram-Schmidt, twice).
  for (var r = with_direction; r < C; r++) {
    let j = u32(scratch[aux + 3u * C + r]);
    if (t == 0u) { atomicStore(&amax, 0u); atomicStore(&pick, 0xffffffffu); }
    workgroupBarrier();
    var mx = 0u;
    for (var c = t; c < R; c += WG) {
      var left = 1.0;
      for (var q = 0u; q < r; q++) {
        let u = wld(sb, u32(scratch[aux + 3u * C + q]) * R + c);
        left -= u * u;
      }
      left = max(left, 0.0);
      wst(sb, j * R + c, left);
      mx = max(mx, bitcast<u32>(left));
    }
    atomicMax(&amax, mx);
    sync_work();
    let top = atomicLoad(&amax);
    for (var c = t; c < R; c += WG) {
      if (bitcast<u32>(wld(sb, j * R + c)) == top) { atomicMin(&pick, c); }
    }
    sync_work();
    let best = atomicLoad(&pick);
    for (var c = t; c < R; c += WG) {
      var x = select(0.0, 1.0, c == best);
      for (var q = 0u; q < r; q++) {
        let o = u32(scratch[aux + 3u * C + q]) * R;
        x -= wld(sb, o + c) * wld(sb, o + best);
      }
      wst(sb, j * R + c, x);
    }
    sync_work();
    // Second pass: h_q = u_q . x for every earlier column, then x -= sum h_q u_q. h lives in the
    // rotation slots (3 per pair >= C of them).
    for (var q = t; q < r; q += WG) {
      let o = u32(scratch[aux + 3u * C + q]) * R;
      var h = 0.0;
      for (var c = 0u; c < R; c++) { h += wld(sb, o + c) * wld(sb, j * R + c); }
      rst(sb, q, h);
    }
    sync_work();
    for (var c = t; c < R; c += WG) {
      var x = wld(sb, j * R + c);
      for (var q = 0u; q < r; q++) { x -= rld(sb, q) * wld(sb, u32(scratch[aux + 3u * C + q]) * R + c); }
      wst(sb, j * R + c, x);
    }
    sync_work();
    if (t == 0u) {
      var ss = 0.0;
      for (var c = 0u; c < R; c++) {
        let x = wld(sb, j * R + c);
        ss += x * x;
      }
      shared_norm = sqrt(ss);
    }
    sync_work();
    let nx = shared_norm;
    for (var c = t; c < R; c += WG) { wst(sb, j * R + c, wld(sb, j * R + c) / nx); }
    sync_work();
  }
  sync_all();
  // Signs from the columns of the output u: W's (tall A) or V's (wide A, where A = V S W^T).
  for (var j = t; j < C; j += WG) {
    var sign = 1.0;
    if (tall) { sign = sign_of_column_w(sb, j * R, R); } else { sign = sign_of_column(sb + j, C, C); }
    scratch[aux + 2u * C + j] = sign;
  }
  sync_all();
  // u (m, C) and vt (C, n): column / row rank[j] gets sign[j] times W's or V's column j.
  for (var e = t; e < m * C; e += WG) {
    let i = e / C;
    let j = e % C;
    var v = 0.0;
    if (tall) { v = wld(sb, j * R + i); } else { v = scratch[sb + i * C + j] / scratch[aux + 4u * C + j]; }
    svd_u[b * m * C + i * C + u32(scratch[aux + C + j])] = scratch[aux + 2u * C + j] * v;
  }
  for (var e = t; e < C * n; e += WG) {
    let i = e / C;
    let j = e % C;
    var v = 0.0;
    if (tall) { v = scratch[sb + i * C + j] / scratch[aux + 4u * C + j]; } else { v = wld(sb, j * R + i); }
    svd_vt[b * C * n + u32(scratch[aux + C + j]) * n + i] = scratch[aux + 2u * C + j] * v;
  }
}

// ---- one invocation per matrix ----------------------------------------------------------------------
// eigh_thread and svd_thread run the sweeps above one rotation after another (the pairs of a round are
// disjoint, so that is the same as rotating them at once), with no barrier anywhere: for batches of small
// matrices, where a workgroup's barriers cost more than its parallelism gives. Same tolerances, sweep cap,
// ordering, signs and NaN rule. Their work lives in the scratch buffer interleaved over the batch (element
// e of matrix b at e * batch + b), so neighbouring invocations touch neighbouring words; a column of a
// matrix stored by rows (n wide) starts at th(b, j) with stride n * batch, one stored by columns (R long)
// at th(b, j * R) with stride batch.

const THREAD_WG: u32 = 64u;

fn th(b: u32, e: u32) -> u32 { return e * p.batch + b; }

// Max |x| over `len` elements at src[at..], as bits (NaN above +Inf).
fn max_abs_bits_thread(at: u32, len: u32) -> u32 {
  var mx = 0u;
  for (var e = 0u; e < len; e++) { mx = max(mx, bitcast<u32>(src[at + e]) & 0x7fffffffu); }
  return mx;
}

// V (n x n, scratch from 0) <- V P on columns p, q.
fn rotate_v_thread(b: u32, n: u32, pq: vec2<u32>, c: f32, s: f32) {
  for (var i = 0u; i < n; i++) { rotate_scratch(th(b, i * n + pq.x), th(b, i * n + pq.y), c, s); }
}

// Scratch per matrix: V (n x n), then the packed lower triangle of the work matrix from p.work_off.
@compute @workgroup_size(THREAD_WG)
fn eigh_thread(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let b = flat_id(gid, nwg, THREAD_WG);
  if (b >= p.batch) { return; }
  let n = p.cols;
  let a0 = b * n * n;
  let w0 = p.work_off;
  let bits = max_abs_bits_thread(a0, n * n);
  if (bits >= 0x7f800000u) {
    for (var e = 0u; e < n * n; e++) { eig_vectors[a0 + e] = nan_f32(); }
    for (var i = 0u; i < n; i++) { eig_values[b * n + i] = nan_f32(); }
    return;
  }
  let ex = scale_exponent(bits);
  let inv = pow2(254u - ex);
  for (var i = 0u; i < n; i++) {
    for (var j = 0u; j <= i; j++) {
      scratch[th(b, w0 + tri(i, j))] = (0.5 * src[a0 + i * n + j] + 0.5 * src[a0 + j * n + i]) * inv;
    }
    for (var j = 0u; j < n; j++) { scratch[th(b, i * n + j)] = select(0.0, 1.0, i == j); }
  }
  let m = n + (n & 1u);
  for (var sweep = 0u; sweep < p.max_sweeps; sweep++) {
    var rotated = false;
    for (var r = 0u; r + 1u < m; r++) {
      for (var k = 0u; k < m / 2u; k++) {
        let pq = round_robin(k, r, m);
        if (pq.x >= n || pq.y >= n) { continue; }
        let ipp = th(b, w0 + tri(pq.x, pq.x));
        let iqq = th(b, w0 + tri(pq.y, pq.y));
        let ipq = th(b, w0 + tri(pq.x, pq.y));
        let app = scratch[ipp];
        let aqq = scratch[iqq];
        let apq = scratch[ipq];
        if (!(abs(apq) > max(EPS * sqrt(abs(app * aqq)), FLOOR))) { continue; }
        rotated = true;
        let cst = rotation(app, aqq, apq);
        for (var i = 0u; i < n; i++) {
          if (i == pq.x || i == pq.y) { continue; }
          rotate_scratch(th(b, w0 + tri(i, pq.x)), th(b, w0 + tri(i, pq.y)), cst.x, cst.y);
        }
        scratch[ipp] = app - cst.z * apq;
        scratch[iqq] = aqq + cst.z * apq;
        scratch[ipq] = 0.0;
        rotate_v_thread(b, n, pq, cst.x, cst.y);
      }
    }
    if (!rotated) { break; }
  }
  // Eigenvalue i goes to its place in ascending order (ties by index), its vector with it, signed and
  // normalised as in eigh.
  let sc = pow2(ex);
  for (var i = 0u; i < n; i++) {
    let li = scratch[th(b, w0 + tri(i, i))];
    var rank = 0u;
    for (var j = 0u; j < n; j++) {
      let lj = scratch[th(b, w0 + tri(j, j))];
      if (lj < li || (lj == li && j < i)) { rank++; }
    }
    eig_values[b * n + rank] = li * sc;
    let scale = sign_of_column(th(b, i), n * p.batch, n) / norm_of_column(th(b, i), n * p.batch, n);
    for (var row = 0u; row < n; row++) {
      eig_vectors[a0 + row * n + rank] = scale * scratch[th(b, row * n + i)];
    }
  }
}

// Scratch per matrix: V (C x C), W (R x C by columns) from p.work_off, then from p.aux_off per column:
// |w_j|, |v_j|, the column of each rank, each column's rank.
@compute @workgroup_size(THREAD_WG)
fn svd_thread(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let b = flat_id(gid, nwg, THREAD_WG);
  if (b >= p.batch) { return; }
  let m = p.rows;
  let n = p.cols;
  let tall = m >= n;
  let R = max(m, n);
  let C = min(m, n);
  let a0 = b * m * n;
  let w0 = p.work_off;
  let aux = p.aux_off;
  let bits = max_abs_bits_thread(a0, m * n);
  if (bits >= 0x7f800000u) {
    for (var e = 0u; e < m * C; e++) { svd_u[b * m * C + e] = nan_f32(); }
    for (var e = 0u; e < C * n; e++) { svd_vt[b * C * n + e] = nan_f32(); }
    for (var e = 0u; e < C; e++) { svd_s[b * C + e] = nan_f32(); }
    return;
  }
  let ex = scale_exponent(bits);
  let inv = pow2(254u - ex);
  for (var i = 0u; i < m; i++) {
    for (var j = 0u; j < n; j++) {
      let e = select(i * R + j, j * R + i, tall);
      scratch[th(b, w0 + e)] = src[a0 + i * n + j] * inv;
    }
  }
  for (var e = 0u; e < C * C; e++) { scratch[th(b, e)] = select(0.0, 1.0, e / C == e % C); }
  let mm = C + (C & 1u);
  let tol = EPS * max(1.0, sqrt(f32(R)));
  let z2 = ZERO_COLUMN * ZERO_COLUMN;
  for (var sweep = 0u; sweep < p.max_sweeps; sweep++) {
    var rotated = false;
    for (var r = 0u; r + 1u < mm; r++) {
      for (var k = 0u; k < mm / 2u; k++) {
        let pq = round_robin(k, r, mm);
        if (pq.x >= C || pq.y >= C) { continue; }
        var alpha = 0.0;
        var beta = 0.0;
        var gamma = 0.0;
        for (var i = 0u; i < R; i++) {
          let wp = scratch[th(b, w0 + pq.x * R + i)];
          let wq = scratch[th(b, w0 + pq.y * R + i)];
          alpha += wp * wp;
          beta += wq * wq;
          gamma += wp * wq;
        }
        if (!(alpha > z2 && beta > z2 && abs(gamma) > tol * sqrt(alpha * beta))) { continue; }
        rotated = true;
        let cst = rotation(alpha, beta, gamma);
        for (var i = 0u; i < R; i++) {
          rotate_scratch(th(b, w0 + pq.x * R + i), th(b, w0 + pq.y * R + i), cst.x, cst.y);
        }
        rotate_v_thread(b, C, pq, cst.x, cst.y);
      }
    }
    if (!rotated) { break; }
  }
  // s_j = |w_j| / |v_j| (see svd); its rank in descending order (ties by index).
  for (var j = 0u; j < C; j++) {
    scratch[th(b, aux + j)] = norm_of_column(th(b, w0 + j * R), p.batch, R);
    scratch[th(b, aux + C + j)] = norm_of_column(th(b, j), C * p.batch, C);
  }
  let sc = pow2(ex);
  for (var j = 0u; j < C; j++) {
    let nj = scratch[th(b, aux + j)];
    let sj = nj / scratch[th(b, aux + C + j)];
    var rank = 0u;
    for (var i = 0u; i < C; i++) {
      let si = scratch[th(b, aux + i)] / scratch[th(b, aux + C + i)];
      if (si > sj || (si == sj && i < j)) { rank++; }
    }
    scratch[th(b, aux + 2u * C + rank)] = f32(j);
    scratch[th(b, aux + 3u * C + j)] = f32(rank);
    svd_s[b * C + rank] = sj * sc;
    if (nj > ZERO_COLUMN) {
      for (var i = 0u; i < R; i++) { scratch[th(b, w0 + j * R + i)] /= nj; }
    }
  }
  // A column without a direction becomes the unit vector orthogonal to the columns before it in rank
  // order, closest to the e_c they cover least (Gram-Schmidt, twice), as in svd.
  for (var r = 0u; r < C; r++) {
    let j = u32(scratch[th(b, aux + 2u * C + r)]);
    if (scratch[th(b, aux + j)] > ZERO_COLUMN) { continue; }
    let xj = w0 + j * R;
    var best = 0u;
    var best_left = -1.0;
    for (var c = 0u; c < R; c++) {
      var left = 1.0;
      for (var q = 0u; q < r; q++) {
        let u = scratch[th(b, w0 + u32(scratch[th(b, aux + 2u * C + q)]) * R + c)];
        left -= u * u;
      }
      if (left > best_left) {
        best_left = left;
        best = c;
      }
    }
    for (var c = 0u; c < R; c++) { scratch[th(b, xj + c)] = select(0.0, 1.0, c == best); }
    for (var twice = 0u; twice < 2u; twice++) {
      for (var q = 0u; q < r; q++) {
        let uq = w0 + u32(scratch[th(b, aux + 2u * C + q)]) * R;
        var h = 0.0;
        for (var c = 0u; c < R; c++) { h += scratch[th(b, uq + c)] * scratch[th(b, xj + c)]; }
        for (var c = 0u; c < R; c++) { scratch[th(b, xj + c)] -= h * scratch[th(b, uq + c)]; }
      }
    }
    let nx = norm_of_column(th(b, xj), p.batch, R);
    for (var c = 0u; c < R; c++) { scratch[th(b, xj + c)] /= nx; }
  }
  // u's column rank[j] is W's column j (tall A) or V's (wide A, A = V S W^T), signed so its largest entry
  // is positive; vt's row rank[j] is the other one with the same sign.
  for (var j = 0u; j < C; j++) {
    let rank = u32(scratch[th(b, aux + 3u * C + j)]);
    let vn = scratch[th(b, aux + C + j)];
    var sign = 1.0;
    if (tall) {
      sign = sign_of_column(th(b, w0 + j * R), p.batch, R);
    } else {
      sign = sign_of_column(th(b, j), C * p.batch, C);
    }
    for (var i = 0u; i < m; i++) {
      var v = 0.0;
      if (tall) { v = scratch[th(b, w0 + j * R + i)]; } else { v = scratch[th(b, i * C + j)] / vn; }
      svd_u[b * m * C + i * C + rank] = sign * v;
    }
    for (var i = 0u; i < n; i++) {
      var v = 0.0;
      if (tall) { v = scratch[th(b, i * C + j)] / vn; } else { v = scratch[th(b, w0 + j * R + i)]; }
      svd_vt[b * C * n + rank * n + i] = sign * v;
    }
  }
}
