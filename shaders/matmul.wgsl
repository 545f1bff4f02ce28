// Batched matmul C[z] = A[z] @ B[z], A: (M,K), B: (K,N), every operand addressed through strides so that
// transposed or broadcast operands need no copy. Three rungs of a ladder, each checked against the CPU:
//   matmul_naive      one invocation per output, K loads of A and B from memory each.
//   matmul_tiled      64x64 tiles staged in workgroup memory, 4x4 outputs per invocation.
//   matmul_tiled_vec4 the same with vec4 loads, when K, N and the strides are multiples of 4.

struct Params {
  M: u32,
  K: u32,
  N: u32,
  batch: u32,
  a_batch: u32,
  a_row: u32,
  a_col: u32,
  b_batch: u32,
  b_row: u32,
  b_col: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;

@compute @workgroup_size(16, 16)
fn matmul_naive(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = gid.x;
  let m = gid.y;
  let z = gid.z;
  if (m >= p.M || n >= p.N) { return; }
  var acc = 0.0;
  for (var k = 0u; k < p.K; k++) {
    acc += A[z * p.a_batch + m * p.a_row + k * p.a_col] * B[z * p.b_batch + k * p.b_row + n * p.b_col];
  }
  C[(z * p.M + m) * p.N + n] = acc;
}

const TILE: u32 = 64u;  // output tile edge per workgroup
const TK: u32 = 16u;    // depth of one K step
const T: u32 = 16u;     // invocations per tile edge; each owns rows ty + 16i and columns tx + 16j

var<workgroup> As: array<f32, 1024>; // [k][m], TK x TILE: a row of As is read as a broadcast
var<workgroup> Bs: array<f32, 1024>; // [k][n], TK x TILE

// Multiplies the staged tiles into this invocation's 4x4 accumulators.
fn tile_product(tx: u32, ty: u32, acc: ptr<function, array<f32, 16>>) {
  for (var k = 0u; k < TK; k++) {
    var a: array<f32, 4>;
    var b: array<f32, 4>;
    for (var i = 0u; i < 4u; i++) {
      a[i] = As[k * TILE + ty + T * i];
      b[i] = Bs[k * TILE + tx + T * i];
    }
    for (var i = 0u; i < 4u; i++) {
      for (var j = 0u; j < 4u; j++) {
        (*acc)[i * 4u + j] += a[i] * b[j];
      }
    }
  }
}

fn store_tile(z: u32, row0: u32, col0: u32, tx: u32, ty: u32, acc: ptr<function, array<f32, 16>>) {
  for (var i = 0u; i < 4u; i++) {
    let m = row0 + ty + T * i;
    for (var j = 0u; j < 4u; j++) {
      let n = col0 + tx + T * j;
      if (m < p.M && n < p.N) { C[(z * p.M + m) * p.N + n] = (*acc)[i * 4u + j]; }
    }
  }
}

@compute @workgroup_size(16, 16)
fn matmul_tiled(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let tx = lid.x;
  let ty = lid.y;
  let tid = ty * T + tx;
  let row0 = wid.y * TILE;
  let col0 = wid.x * TILE;
  let z = wid.z;
  let a0 = z * p.a_batch;
  let b0 = z * p.b_batch;
  var acc: array<f32, 16>;
  for (var k0 = 0u; k0 < p.K; k0 += TK) {
    for (var l = 0u; l < 4u; l++) {
      let e = tid + l * 256u;
      // A tile element (m, k) = (e / TK, e % TK); B tile element (k, n) = (e / TILE, e % TILE).
      let am = row0 + e / TK;
      let ak = k0 + e % TK;
      var av = 0.0;
      if (am < p.M && ak < p.K) { av = A[a0 + am * p.a_row + ak * p.a_col]; }
      As[(e % TK) * TILE + e / TK] = av;
      let bk = k0 + e / TILE;
      let bn = col0 + e % TILE;
      var bv = 0.0;
      if (bk < p.K && bn < p.N) { bv = B[b0 + bk * p.b_row + bn * p.b_col]; }
      Bs[e] = bv;
    }
    workgroupBarrier();
    tile_product(tx, ty, &acc);
    workgroupBarrier();
  }
  store_tile(z, row0, col0, tx, ty, &acc);
}

@group(0) @binding(1) var<storage, read> A4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> B4: array<vec4<f32>>;

// Requires: a_col = b_col = 1, and K, N, a_row, b_row, a_batch, b_batch all multiples of 4.
@compute @workgroup_size(16, 16)
fn matmul_tiled_vec4(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let tx = lid.x;
  let ty = lid.y;
  let tid = ty * T + tx;
  let row0 = wid.y * TILE;
  let col0 = wid.x * TILE;
  let z = wid.z;
  var acc: array<f32, 16>;
  // Each invocation loads one vec4 of A (row tid / 4, k quad tid % 4) and one of B (row tid / 16, n quad tid % 16).
  let am = tid / 4u;
  let aq = tid % 4u;
  let bk = tid / 16u;
  let bq = tid % 16u;
  for (var k0 = 0u; k0 < p.K; k0 += TK) {
    var av = vec4<f32>(0.0);
    if (row0 + am < p.M && k0 + aq * 4u < p.K) {
      av = A4[(z * p.a_batch + (row0 + am) * p.a_row + k0) / 4u + aq];
    }
    for (var c = 0u; c < 4u; c++) { As[(aq * 4u + c) * TILE + am] = av[c]; }
    var bv = vec4<f32>(0.0);
    if (k0 + bk < p.K && col0 + bq * 4u < p.N) {
      bv = B4[(z * p.b_batch + (k0 + bk) * p.b_row + col0) / 4u + bq];
    }
    for (var c = 0u; c < 4u; c++) { Bs[bk * TILE + bq * 4u + c] = bv[c]; }
    workgroupBarrier();
    tile_product(tx, ty, &acc);
    workgroupBarrier();
  }
  store_tile(z, row0, col0, tx, ty, &acc);
}

// Register-blocked without workgroup memory: each invocation computes a 4x4 block straight from global
// memory (caches do the sharing). No barriers, which is what software adapters such as SwiftShader need.
@compute @workgroup_size(8, 8)
fn matmul_blocked(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n0 = gid.x * 4u;
  let m0 = gid.y * 4u;
  let z = gid.z;
  if (m0 >= p.M || n0 >= p.N) { return; }
  let a0 = z * p.a_batch;
  let b0 = z * p.b_batch;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  // Rows and columns past the edge are clamped for loading and skipped when storing.
  let mr = vec4<u32>(min(m0, p.M - 1u), min(m0 + 1u, p.M - 1u), min(m0 + 2u, p.M - 1u), min(m0 + 3u, p.M - 1u));
  let nc = vec4<u32>(min(n0, p.N - 1u), min(n0 + 1u, p.N - 1u), min(n0 + 2u, p.N - 1u), min(n0 + 3u, p.N - 1u));
  for (var k = 0u; k < p.K; k++) {
    let ak = a0 + k * p.a_col;
    let a = vec4<f32>(A[ak + mr.x * p.a_row], A[ak + mr.y * p.a_row], A[ak + mr.z * p.a_row], A[ak + mr.w * p.a_row]);
    let bk = b0 + k * p.b_row;
    let b = vec4<f32>(B[bk + nc.x * p.b_col], B[bk + nc.y * p.b_col], B[bk + nc.z * p.b_col], B[bk + nc.w * p.b_col]);
    acc0 += a.x * b;
    acc1 += a.y * b;
    acc2 += a.z * b;
    acc3 += a.w * b;
  }
  let rows = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + i;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      if (n0 + j < p.N) { C[(z * p.M + m) * p.N + n0 + j] = rows[i][j]; }
    }
  }
}
