// Cholesky and LU with partial pivoting of many small matrices, one invocation per matrix working in its
// output block: no barriers at all, where the workgroup-per-matrix kernels of linalg.wgsl pay one or two
// per column. The same arithmetic as the CPU twins in src/backends/cpu/linalg.ts.

const WG: u32 = 64u;

struct Params {
  batch: u32,
  n: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read_write> chol_info: array<f32>;

// L column by column (left-looking, as the CPU twin), read from A's lower triangle; a pivot that is not
// > 0 (or NaN) stops the matrix: its factor is all NaN and info names the pivot.
@compute @workgroup_size(WG)
fn cholesky_thread(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let z = flat_id(gid, nwg, WG);
  if (z >= p.batch) { return; }
  let n = p.n;
  let base = z * n * n;
  var failed = -1.0;
  for (var j = 0u; j < n; j++) {
    var d = src[base + j * n + j];
    for (var k = 0u; k < j; k++) { d -= out[base + j * n + k] * out[base + j * n + k]; }
    if (!(d > 0.0)) {
      failed = f32(j);
      break;
    }
    let ljj = sqrt(d);
    out[base + j * n + j] = ljj;
    for (var c = j + 1u; c < n; c++) { out[base + j * n + c] = 0.0; }
    for (var i = j + 1u; i < n; i++) {
      var s = src[base + i * n + j];
      for (var k = 0u; k < j; k++) { s -= out[base + i * n + k] * out[base + j * n + k]; }
      out[base + i * n + j] = s / ljj;
    }
  }
  if (failed >= 0.0) {
    for (var e = 0u; e < n * n; e++) { out[base + e] = nan_f32(); }
  }
  chol_info[z] = failed;
}

@group(0) @binding(3) var<storage, read_write> lu_perm: array<f32>;
@group(0) @binding(4) var<storage, read_write> lu_sign: array<f32>;

// P A = L U, packed in place: the row of the largest |A[i][j]| (the first of equals) becomes row j, and
// unless the pivot is 0 the rows below are eliminated.
@compute @workgroup_size(WG)
fn lu_thread(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let z = flat_id(gid, nwg, WG);
  if (z >= p.batch) { return; }
  let n = p.n;
  let base = z * n * n;
  for (var e = 0u; e < n * n; e++) { out[base + e] = src[base + e]; }
  for (var i = 0u; i < n; i++) { lu_perm[z * n + i] = f32(i); }
  var s = 1.0;
  for (var j = 0u; j < n; j++) {
    var r = j;
    for (var i = j + 1u; i < n; i++) {
      if (abs(out[base + i * n + j]) > abs(out[base + r * n + j])) { r = i; }
    }
    if (r != j) {
      for (var c = 0u; c < n; c++) {
        let v = out[base + j * n + c];
        out[base + j * n + c] = out[base + r * n + c];
        out[base + r * n + c] = v;
      }
      let pj = lu_perm[z * n + j];
      lu_perm[z * n + j] = lu_perm[z * n + r];
      lu_perm[z * n + r] = pj;
      s = -s;
    }
    let d = out[base + j * n + j];
    if (d == 0.0) { continue; }
    for (var i = j + 1u; i < n; i++) {
      let l = out[base + i * n + j] / d;
      out[base + i * n + j] = l;
      for (var c = j + 1u; c < n; c++) { out[base + i * n + c] -= l * out[base + j * n + c]; }
    }
  }
  lu_sign[z] = s;
}
