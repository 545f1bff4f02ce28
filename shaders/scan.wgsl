// Inclusive scans (running sums or products) over the middle axis of (outer, size, inner).
// scan_naive: one invocation per row, sequential (no barriers). scan_blocks: a work-efficient (Blelloch)
// scan of a BLOCK-element block of a row per workgroup in workgroup memory, writing each block's total;
// the totals are scanned the same way (recursively, see kernels/scan.ts) and scan_add adds back to each
// block the combined totals of the blocks before it. `reverse` reads the axis from its end.

override OP: u32 = 0u; // SCAN_OPS in backend.ts: 0 sum, 1 prod
const WG: u32 = 256u;
const BLOCK: u32 = 512u; // elements per workgroup, two per invocation
const NAIVE_WG: u32 = 64u;

struct Params {
  outer: u32,
  size: u32,
  inner: u32,
  blocks: u32,  // blocks per row
  reverse: u32, // 1: scan from the end of the axis
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read_write> block_sums: array<f32>;

fn identity() -> f32 {
  if (OP == 0u) { return 0.0; }
  return 1.0;
}

fn combine(a: f32, b: f32) -> f32 {
  if (OP == 0u) { return a + b; }
  return a * b;
}

// Flat position of step k of row `row` (a row is one (outer, inner) lane of the scanned axis).
fn at(row: u32, k: u32) -> u32 {
  let o = row / p.inner;
  let i = row % p.inner;
  let kk = select(k, p.size - 1u - k, p.reverse != 0u);
  return (o * p.size + kk) * p.inner + i;
}

@compute @workgroup_size(NAIVE_WG)
fn scan_naive(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = flat_id(gid, nwg, NAIVE_WG);
  if (row >= p.outer * p.inner) { return; }
  var acc = identity();
  for (var k = 0u; k < p.size; k++) {
    let j = at(row, k);
    acc = combine(acc, src[j]);
    dst[j] = acc;
  }
}

var<workgroup> tile: array<f32, BLOCK>;

@compute @workgroup_size(WG)
fn scan_blocks(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let w = wid.x + wid.y * nwg.x; // (row, block)
  if (w >= p.outer * p.inner * p.blocks) { return; }
  let row = w / p.blocks;
  let base = (w % p.blocks) * BLOCK;
  let t = lid.x;
  for (var e = 0u; e < 2u; e++) {
    let k = base + t + e * WG;
    var v = identity();
    if (k < p.size) { v = src[at(row, k)]; }
    tile[t + e * WG] = v;
  }
  // Up-sweep: partial totals at the right end of each power-of-two span.
  var offset = 1u;
  for (var d = BLOCK >> 1u; d > 0u; d = d >> 1u) {
    workgroupBarrier();
    if (t < d) {
      let ai = offset * (2u * t + 1u) - 1u;
      let bi = offset * (2u * t + 2u) - 1u;
      tile[bi] = combine(tile[ai], tile[bi]);
    }
    offset = offset * 2u;
  }
  workgroupBarrier();
  if (t == 0u) {
    block_sums[w] = tile[BLOCK - 1u];
    tile[BLOCK - 1u] = identity();
  }
  // Down-sweep: the exclusive scan.
  for (var d = 1u; d < BLOCK; d = d * 2u) {
    offset = offset >> 1u;
    workgroupBarrier();
    if (t < d) {
      let ai = offset * (2u * t + 1u) - 1u;
      let bi = offset * (2u * t + 2u) - 1u;
      let left = tile[ai];
      tile[ai] = tile[bi];
      tile[bi] = combine(tile[bi], left);
    }
  }
  workgroupBarrier();
  for (var e = 0u; e < 2u; e++) {
    let k = base + t + e * WG;
    if (k < p.size) {
      let j = at(row, k);
      dst[j] = combine(tile[t + e * WG], src[j]);
    }
  }
}

@group(0) @binding(1) var<storage, read> carry: array<f32>;     // (rows, blocks) inclusive scan of totals
@group(0) @binding(2) var<storage, read_write> scanned: array<f32>;

// One invocation per element of a block after the first: combine with the totals of the blocks before.
@compute @workgroup_size(WG)
fn scan_add(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, WG);
  if (i >= p.outer * p.inner * p.size) { return; }
  let row = i / p.size;
  let k = i % p.size;
  let b = k / BLOCK;
  if (b == 0u) { return; }
  let j = at(row, k);
  scanned[j] = combine(carry[row * p.blocks + b - 1u], scanned[j]);
}
