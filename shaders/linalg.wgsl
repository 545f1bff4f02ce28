// Small dense linear algebra, one matrix per workgroup: Cholesky and LU with partial pivoting (unblocked,
// right-looking, a column per step with barriers between the steps), and triangular solves (an invocation
// per right-hand-side column, substitution with no barriers). With IN_SHARED the matrix being factored
// lives in workgroup memory (n <= 64: 16 KiB); without it, in the output buffer itself (any n, slower).

override IN_SHARED: bool = true;

const WG: u32 = 64u;
const MAX_SHARED: u32 = 4096u; // 64 x 64
const NONE: u32 = 0xffffffffu;

struct Params {
  batch: u32,
  n: u32,
  k: u32,            // right-hand sides of a triangular solve
  lower: u32,        // triangular solve: op(A) is lower triangular
  transpose: u32,    // triangular solve: op(A) = A^T
  unit_diagonal: u32,
}

@group(0) @binding(0) var<uniform> p: Params;

// Cholesky and LU: the input matrices, the output (also the work matrix without IN_SHARED).
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> mat: array<f32>;

var<workgroup> m: array<f32, MAX_SHARED>;
var<workgroup> failed: u32;
var<workgroup> pivot: u32;

fn ld(base: u32, e: u32) -> f32 {
  if (IN_SHARED) { return m[e]; }
  return mat[base + e];
}

fn st(base: u32, e: u32, v: f32) {
  if (IN_SHARED) { m[e] = v; } else { mat[base + e] = v; }
}

// Every invocation has finished the previous step and sees its writes.
fn sync() {
  workgroupBarrier();
  if (!IN_SHARED) { storageBarrier(); }
}

fn load_matrix(base: u32, t: u32) {
  for (var e = t; e < p.n * p.n; e += WG) { st(base, e, src[base + e]); }
}

@group(0) @binding(3) var<storage, read_write> chol_info: array<f32>;

// A = L L^T from the lower triangle of A. Step j: the pivot d = A[j][j] (already updated), column j below
// it divided by sqrt(d), then the trailing lower triangle updated by the outer product of that column.
// A pivot that is not > 0 (or NaN) is recorded in `failed`; that matrix's output is all NaN.
@compute @workgroup_size(WG)
fn cholesky(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let b = wid.x + wid.y * nwg.x;
  if (b >= p.batch) { return; }
  let n = p.n;
  let t = lid.x;
  let base = b * n * n;
  load_matrix(base, t);
  if (t == 0u) { failed = NONE; }
  sync();
  for (var j = 0u; j < n; j++) {
    let d = ld(base, j * n + j);
    let ljj = sqrt(d);
    for (var i = j + 1u + t; i < n; i += WG) { st(base, i * n + j, ld(base, i * n + j) / ljj); }
    sync();
    if (t == 0u) {
      if (!(d > 0.0) && failed == NONE) { failed = j; }
      st(base, j * n + j, ljj);
    }
    for (var i = j + 1u + t; i < n; i += WG) {
      let lij = ld(base, i * n + j);
      for (var c = j + 1u; c <= i; c++) { st(base, i * n + c, ld(base, i * n + c) - lij * ld(base, c * n + j)); }
    }
    sync();
  }
  let ok = failed == NONE;
  for (var e = t; e < n * n; e += WG) {
    var v = nan_f32();
    if (ok) { v = select(0.0, ld(base, e), e % n <= e / n); }
    mat[base + e] = v;
  }
  if (t == 0u) { chol_info[b] = select(f32(failed), -1.0, ok); }
}

@group(0) @binding(3) var<storage, read_write> lu_perm: array<f32>;
@group(0) @binding(4) var<storage, read_write> lu_sign: array<f32>;

// P A = L U. Step j: invocation 0 picks the row with the largest |A[i][j]|, i >= j (the first of equals),
// the rows are swapped, and unless the pivot is 0 each row below is eliminated by its own invocation.
@compute @workgroup_size(WG)
fn lu(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let b = wid.x + wid.y * nwg.x;
  if (b >= p.batch) { return; }
  let n = p.n;
  let t = lid.x;
  let base = b * n * n;
  load_matrix(base, t);
  if (t == 0u) {
    for (var i = 0u; i < n; i++) { lu_perm[b * n + i] = f32(i); }
    lu_sign[b] = 1.0;
  }
  sync();
  for (var j = 0u; j < n; j++) {
    if (t == 0u) {
      var best = j;
      var best_abs = abs(ld(base, j * n + j));
      for (var i = j + 1u; i < n; i++) {
        let v = abs(ld(base, i * n + j));
        if (v > best_abs) { best = i; best_abs = v; }
      }
      pivot = best;
      if (best != j) {
        let pj = lu_perm[b * n + j];
        lu_perm[b * n + j] = lu_perm[b * n + best];
        lu_perm[b * n + best] = pj;
        lu_sign[b] = -lu_sign[b];
      }
    }
    sync();
    let r = pivot;
    if (r != j) {
      for (var c = t; c < n; c += WG) {
        let v = ld(base, j * n + c);
        st(base, j * n + c, ld(base, r * n + c));
        st(base, r * n + c, v);
      }
    }
    sync();
    let d = ld(base, j * n + j);
    if (d != 0.0) {
      for (var i = j + 1u + t; i < n; i += WG) {
        let l = ld(base, i * n + j) / d;
        st(base, i * n + j, l);
        for (var c = j + 1u; c < n; c++) { st(base, i * n + c, ld(base, i * n + c) - l * ld(base, j * n + c)); }
      }
    }
    sync();
  }
  if (IN_SHARED) {
    for (var e = t; e < n * n; e += WG) { mat[base + e] = m[e]; }
  }
}

@group(0) @binding(1) var<storage, read> tri_a: array<f32>;
@group(0) @binding(2) var<storage, read> tri_b: array<f32>;
@group(0) @binding(3) var<storage, read_write> tri_x: array<f32>;

// X = op(A)^-1 B: an invocation per (matrix, column of B), rows in substitution order. Any n.
@compute @workgroup_size(WG)
fn triangular_solve(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = flat_id(gid, nwg, WG);
  let k = p.k;
  if (id >= p.batch * k) { return; }
  let n = p.n;
  let z = id / k;
  let c = id % k;
  let a0 = z * n * n;
  let b0 = z * n * k;
  var rs = n;
  var cs = 1u;
  if (p.transpose != 0u) { rs = 1u; cs = n; }
  let lower = p.lower != 0u;
  for (var s = 0u; s < n; s++) {
    var i = s;
    if (!lower) { i = n - 1u - s; }
    var acc = tri_b[b0 + i * k + c];
    if (lower) {
      for (var j = 0u; j < i; j++) { acc -= tri_a[a0 + i * rs + j * cs] * tri_x[b0 + j * k + c]; }
    } else {
      for (var j = i + 1u; j < n; j++) { acc -= tri_a[a0 + i * rs + j * cs] * tri_x[b0 + j * k + c]; }
    }
    if (p.unit_diagonal == 0u) { acc = acc / tri_a[a0 + i * rs + i * cs]; }
    tri_x[b0 + i * k + c] = acc;
  }
}
