// Batched matmul C[z] = A[z] @ B[z], A: (M,K), B: (K,N), every operand addressed through strides so that
// transposed or broadcast operands need no copy. Four rungs of a ladder, each checked against the CPU:
//   matmul_naive      one invocation per output, K loads of A and B from memory each.
//   matmul_blocked    4x4 outputs per invocation straight from memory, no workgroup memory, no barriers.
//   matmul_tiled      64x64 tiles staged in workgroup memory, 4x4 outputs per invocation.
//   matmul_tiled_vec4 the same with vec4 loads, when each operand's contiguous axis allows them.

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
  tiles_n: u32, // output tiles across N, ceil(N / tile edge of the entry point)
  tiles_m: u32, // output tiles across M
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;

// The output tile (column, row, matrix) of this workgroup. The host lays the tiles_n * tiles_m * batch
// workgroups out over x, y and z because one dimension holds at most 65,535 (maxComputeWorkgroupsPerDimension)
// and a batch can be larger: gather's backward pass multiplies one small matrix per outer row. The grid
// may hold a few more workgroups than tiles; theirs have matrix >= batch and must exit.
fn tile_of(wid: vec3<u32>, nwg: vec3<u32>) -> vec3<u32> {
  let flat = wid.x + nwg.x * (wid.y + nwg.y * wid.z);
  return vec3<u32>(flat % p.tiles_n, (flat / p.tiles_n) % p.tiles_m, flat / (p.tiles_n * p.tiles_m));
}

@compute @workgroup_size(16, 16)
fn matmul_naive(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let t = tile_of(wid, nwg);
  let n = t.x * 16u + lid.x;
  let m = t.y * 16u + lid.y;
  let z = t.z;
  if (z >= p.batch || m >= p.M || n >= p.N) { return; }
  var acc = 0.0;
  for (var k = 0u; k < p.K; k++) {
    acc += A[z * p.a_batch + m * p.a_row + k * p.a_col] * B[z * p.b_batch + k * p.b_row + n * p.b_col];
  }
  C[(z * p.M + m) * p.N + n] = acc;
}

const TILE: u32 = 64u;  // output tile edge per workgroup
const TK: u32 = 16u;    // depth of one K step
const T: u32 = 16u;     // invocations per tile edge; each owns rows ty + 16i and columns tx + 16j

// Both tiles are stored k-major, X[k * S + outer] (outer is m for As, n for Bs), so that tile_product
// reads a row of 16 neighbours of Bs and a broadcast of As. The row stride S is TILE + 2, not TILE,
// because of the stores. Bank arithmetic, for the common layout of 32 banks of 4 bytes (bank = word
// index % 32) and 32 invocations issuing a store together:
// - An operand whose k axis is contiguous (A as stored, B transposed) is read k-fastest to coalesce the
//   global loads, so 32 consecutive invocations hold 16 k's for each of two outer indices o (even) and
//   o + 1. With S = 64 = 0 (mod 32) all 16 k's of one o fall in one bank: a 16-way conflict per store.
//   With S = 66 = 2 (mod 32), bank = (2k + outer) % 32: o takes the 16 even banks, o + 1 the 16 odd ones.
// - An operand whose outer axis is contiguous (A transposed, B as stored) is read outer-fastest and stored
//   at consecutive words: 32 distinct banks for any S.
// The vec4 kernel's stores are worked out at matmul_tiled_vec4.
const S: u32 = 66u;

var<workgroup> As: array<f32, 1056>; // [k][m], TK rows of S words (the last 2 words of a row unused)
var<workgroup> Bs: array<f32, 1056>; // [k][n], TK rows of S words

// The (outer, k) place in a 64 x 16 operand tile of element e (0..1023) of the staging loop. Consecutive
// e walk the operand's contiguous axis, so consecutive invocations load consecutive addresses whether the
// operand arrives as stored or transposed (the backward pass's g @ B^T and A^T @ g).
fn stage_coord(e: u32, k_contiguous: bool) -> vec2<u32> {
  if (k_contiguous) { return vec2<u32>(e / TK, e % TK); }
  return vec2<u32>(e % TILE, e / TILE);
}

// Multiplies the staged tiles into this invocation's 4x4 accumulators.
fn tile_product(tx: u32, ty: u32, acc: ptr<function, array<f32, 16>>) {
  for (var k = 0u; k < TK; k++) {
    var a: array<f32, 4>;
    var b: array<f32, 4>;
    for (var i = 0u; i < 4u; i++) {
      a[i] = As[k * S + ty + T * i];
      b[i] = Bs[k * S + tx + T * i];
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
fn matmul_tiled(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let t = tile_of(wid, nwg);
  let z = t.z;
  // The whole workgroup leaves together (wid and nwg are uniform), before any barrier.
  if (z >= p.batch) { return; }
  let tx = lid.x;
  let ty = lid.y;
  let tid = ty * T + tx;
  let row0 = t.y * TILE;
  let col0 = t.x * TILE;
  let a0 = z * p.a_batch;
  let b0 = z * p.b_batch;
  // Which axis of each operand is contiguous: k for A when a_col < a_row, k for B when b_row < b_col.
  let a_kc = p.a_col < p.a_row;
  let b_kc = p.b_row < p.b_col;
  var acc: array<f32, 16>;
  for (var k0 = 0u; k0 < p.K; k0 += TK) {
    for (var l = 0u; l < 4u; l++) {
      let e = tid + l * 256u;
      let ca = stage_coord(e, a_kc); // (m, k) within the tile
      var av = 0.0;
      if (row0 + ca.x < p.M && k0 + ca.y < p.K) { av = A[a0 + (row0 + ca.x) * p.a_row + (k0 + ca.y) * p.a_col]; }
      As[ca.y * S + ca.x] = av;
      let cb = stage_coord(e, b_kc); // (n, k) within the tile
      var bv = 0.0;
      if (col0 + cb.x < p.N && k0 + cb.y < p.K) { bv = B[b0 + (k0 + cb.y) * p.b_row + (col0 + cb.x) * p.b_col]; }
      Bs[cb.y * S + cb.x] = bv;
    }
    workgroupBarrier();
    tile_product(tx, ty, &acc);
    workgroupBarrier();
  }
  store_tile(z, row0, col0, tx, ty, &acc);
}

@group(0) @binding(1) var<storage, read> A4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> B4: array<vec4<f32>>;

// The (outer, k) place of the first of the 4 elements that invocation tid (0..255) loads as one vec4, and
// thereby a 64 x 16 tile in one load per invocation: 4 invocations cover the 16 k's of one outer row when
// k is contiguous, 16 invocations the 64 outer indices of one k when the outer axis is.
fn stage_coord4(tid: u32, k_contiguous: bool) -> vec2<u32> {
  if (k_contiguous) { return vec2<u32>(tid / 4u, (tid % 4u) * 4u); }
  return vec2<u32>((tid % 16u) * 4u, tid / 16u);
}

// Requires, for each operand: the stride of its contiguous axis is 1, and the extent of that axis (K, or
// M for A transposed, N for B as stored) and its other two strides are multiples of 4 (see vec4Ok).
// The 4 components go to workgroup memory as 4 scalar stores; with S = 66 (32 invocations store together):
// - k contiguous, store c at (k + c) * S + outer: the 32 invocations hold outer o..o+7 (o a multiple of 8)
//   and k = 4q, q in 0..3, so bank = (8q + 2c + outer) % 32: 32 distinct banks. (With S = 64 it was
//   outer % 32: 8 banks, a 4-way conflict.)
// - outer contiguous, store at k * S + outer + c: the 32 invocations hold k and k + 1 (k even) and
//   outer = 4q, q in 0..15, so bank = (2k + 4q + c) % 32, and q and q + 8 collide (2-way; 4-way with
//   S = 64). Invocations with q >= 8 store their components rotated by one (component (c + 1) % 4 in
//   step c), which moves them to the odd residues mod 4 that k and k + 1 leave free: 32 distinct banks.
@compute @workgroup_size(16, 16)
fn matmul_tiled_vec4(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let t = tile_of(wid, nwg);
  let z = t.z;
  if (z >= p.batch) { return; }
  let tx = lid.x;
  let ty = lid.y;
  let tid = ty * T + tx;
  let row0 = t.y * TILE;
  let col0 = t.x * TILE;
  let a0 = z * p.a_batch;
  let b0 = z * p.b_batch;
  let a_kc = p.a_col < p.a_row;
  let b_kc = p.b_row < p.b_col;
  let ca = stage_coord4(tid, a_kc); // (m, k) of this invocation's first element of A
  let cb = stage_coord4(tid, b_kc); // (n, k) of B
  // The component rotation of the outer-contiguous stores (see above); 0 for k-contiguous operands.
  let a_rot = select((tid % 16u) / 8u, 0u, a_kc);
  let b_rot = select((tid % 16u) / 8u, 0u, b_kc);
  var acc: array<f32, 16>;
  for (var k0 = 0u; k0 < p.K; k0 += TK) {
    // Whole vec4s are in or out of range: the contiguous extent is a multiple of 4, as are row0, col0, k0.
    var av = vec4<f32>(0.0);
    if (row0 + ca.x < p.M && k0 + ca.y < p.K) {
      av = A4[(a0 + (row0 + ca.x) * p.a_row + (k0 + ca.y) * p.a_col) / 4u];
    }
    var bv = vec4<f32>(0.0);
    if (col0 + cb.x < p.N && k0 + cb.y < p.K) {
      bv = B4[(b0 + (k0 + cb.y) * p.b_row + (col0 + cb.x) * p.b_col) / 4u];
    }
    for (var s = 0u; s < 4u; s++) {
      let c = (s + a_rot) % 4u;
      As[select(ca.y * S + ca.x + c, (ca.y + c) * S + ca.x, a_kc)] = av[c];
      let d = (s + b_rot) % 4u;
      Bs[select(cb.y * S + cb.x + d, (cb.y + d) * S + cb.x, b_kc)] = bv[d];
    }
    workgroupBarrier();
    tile_product(tx, ty, &acc);
    workgroupBarrier();
  }
  store_tile(z, row0, col0, tx, ty, &acc);
}

// Register-blocked without workgroup memory: each invocation computes a 4x4 block straight from global
// memory (caches do the sharing). No barriers, which is what software adapters such as SwiftShader need.
@compute @workgroup_size(8, 8)
fn matmul_blocked(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let t = tile_of(wid, nwg);
  let n0 = (t.x * 8u + lid.x) * 4u;
  let m0 = (t.y * 8u + lid.y) * 4u;
  let z = t.z;
  if (z >= p.batch || m0 >= p.M || n0 >= p.N) { return; }
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
