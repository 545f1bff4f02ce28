// Stable sorting of rows, carrying positions: every rung orders (value, position) pairs by the same total
// order (before(): NaN last, ties by position), so any correct sort of it is the stable sort.
// sort_naive: one invocation per row, insertion sort. Bitonic: rows padded to a power of two `padded`
// (pads carry positions >= size and order after everything); bitonic_init fills the work arrays,
// bitonic_local sorts or merges BLOCK-element blocks in workgroup memory, bitonic_global does one
// compare-exchange step across blocks per dispatch; sort_out writes the first k of each row.
// Select (top-k for small k): select_first and select_next keep, one invocation per chunk of a row, the
// chunk's k first (value, index) pairs in private arrays; repeated on the candidates until a row is one
// chunk. No barriers and no workgroup memory, which suits software adapters.

override DESC: bool = false;
const WG: u32 = 256u;
const BLOCK: u32 = 512u;
const NAIVE_WG: u32 = 64u;

struct Params {
  rows: u32,
  size: u32,
  padded: u32, // row length of the work arrays (a power of two for bitonic, size for naive)
  k: u32,      // outputs per row
  stage: u32,  // bitonic: span of the sequences being merged (0 in bitonic_local: sort whole blocks)
  step: u32,   // bitonic_global: distance of the compared pairs
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> keys: array<f32>;
@group(0) @binding(3) var<storage, read_write> pos: array<u32>;

// True when (va at ia) comes before (vb at ib).
fn before(va: f32, ia: u32, vb: f32, ib: u32) -> bool {
  let pa = ia >= p.size;
  let pb = ib >= p.size;
  if (pa || pb) { return select(!pa, (ia < ib), pa && pb); }
  return before_value(va, ia, vb, ib);
}

// before() for real elements (no bitonic pads): NaN last, then by value, ties by position.
fn before_value(va: f32, ia: u32, vb: f32, ib: u32) -> bool {
  let na = is_nan(va);
  let nb = is_nan(vb);
  if (na || nb) { return select(!na, (ia < ib), na && nb); }
  if (va != vb) { return select((va < vb), (va > vb), DESC); }
  return ia < ib;
}

@compute @workgroup_size(NAIVE_WG)
fn sort_naive(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flat_id(gid, nwg, NAIVE_WG);
  if (r >= p.rows) { return; }
  let base = r * p.padded;
  for (var i = 0u; i < p.size; i++) {
    let v = src[r * p.size + i];
    var j = i;
    while (j > 0u && before(v, i, keys[base + j - 1u], pos[base + j - 1u])) {
      keys[base + j] = keys[base + j - 1u];
      pos[base + j] = pos[base + j - 1u];
      j = j - 1u;
    }
    keys[base + j] = v;
    pos[base + j] = i;
  }
}

@compute @workgroup_size(WG)
fn bitonic_init(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, WG);
  if (i >= p.rows * p.padded) { return; }
  let r = i / p.padded;
  let c = i % p.padded;
  var v = 0.0;
  if (c < p.size) { v = src[r * p.size + c]; }
  keys[i] = v;
  pos[i] = c;
}

@group(0) @binding(1) var<storage, read_write> wkeys: array<f32>;
@group(0) @binding(2) var<storage, read_write> wpos: array<u32>;

var<workgroup> tk: array<f32, BLOCK>;
var<workgroup> tp: array<u32, BLOCK>;

// Orders the pair (a, b), a < b, within workgroup memory: ascending spans put the earlier pair first.
fn exchange_local(a: u32, b: u32, ascending: bool) {
  let first = before(tk[a], tp[a], tk[b], tp[b]);
  if (first != ascending) {
    let k = tk[a];
    let q = tp[a];
    tk[a] = tk[b];
    tp[a] = tp[b];
    tk[b] = k;
    tp[b] = q;
  }
}

// A workgroup per block of L = min(padded, BLOCK) elements of a row. stage 0: sorts the block (spans 2..L,
// alternating direction by the block's place in its row); stage s > L: the steps < L of merging span s.
@compute @workgroup_size(WG)
fn bitonic_local(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let L = min(p.padded, BLOCK);
  let w = wid.x + wid.y * nwg.x;
  if (w * L >= p.rows * p.padded) { return; }
  let t = lid.x;
  let start = w * L;               // flat position of the block
  let in_row = start % p.padded;   // position of the block within its row
  for (var e = 0u; e < 2u; e++) {
    let l = t + e * WG;
    if (l < L) {
      tk[l] = wkeys[start + l];
      tp[l] = wpos[start + l];
    }
  }
  var k_first = 2u;
  var k_last = L;
  if (p.stage != 0u) {
    k_first = p.stage;
    k_last = p.stage;
  }
  for (var k = k_first; k <= k_last; k = k * 2u) {
    for (var j = min(k, L) / 2u; j > 0u; j = j / 2u) {
      workgroupBarrier();
      if (t < L / 2u) {
        let a = 2u * j * (t / j) + t % j;
        exchange_local(a, a + j, ((in_row + a) & k) == 0u);
      }
    }
  }
  workgroupBarrier();
  for (var e = 0u; e < 2u; e++) {
    let l = t + e * WG;
    if (l < L) {
      wkeys[start + l] = tk[l];
      wpos[start + l] = tp[l];
    }
  }
}

// One invocation per compared pair of step `step` of span `stage`, for steps of at least BLOCK.
@compute @workgroup_size(WG)
fn bitonic_global(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let q = flat_id(gid, nwg, WG);
  let half = p.padded / 2u;
  if (q >= p.rows * half) { return; }
  let r = q / half;
  let t = q % half;
  let j = p.step;
  let a = 2u * j * (t / j) + t % j;
  let ia = r * p.padded + a;
  let ib = ia + j;
  let first = before(wkeys[ia], wpos[ia], wkeys[ib], wpos[ib]);
  if (first != ((a & p.stage) == 0u)) {
    let k = wkeys[ia];
    let s = wpos[ia];
    wkeys[ia] = wkeys[ib];
    wpos[ia] = wpos[ib];
    wkeys[ib] = k;
    wpos[ib] = s;
  }
}

@group(0) @binding(1) var<storage, read> skeys: array<f32>;
@group(0) @binding(2) var<storage, read> spos: array<u32>;
@group(0) @binding(3) var<storage, read_write> values: array<f32>;
@group(0) @binding(4) var<storage, read_write> indices: array<f32>;

@compute @workgroup_size(WG)
fn sort_out(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, WG);
  if (i >= p.rows * p.k) { return; }
  let j = (i / p.k) * p.padded + i % p.k;
  values[i] = skeys[j];
  indices[i] = f32(spos[j]);
}

// Select: one invocation per `chunk` elements of a row of `size`; writes the chunk's first k, in order,
// to (rows, chunks, k). A chunk of fewer than k elements fills its tail with NaN at index -1: those
// stay behind every real element in the next level (NaN, and later positions than any real NaN), and
// a row always holds at least k real elements (k <= size), so they never reach the output.
const MAX_K: u32 = 32u;

struct SelectParams {
  rows: u32,
  size: u32,   // input row length
  chunk: u32,  // elements per invocation
  chunks: u32, // ceil(size / chunk): output row length is chunks * k
  k: u32,      // kept per chunk, <= MAX_K
}

struct Kept {
  v: array<f32, MAX_K>,
  i: array<u32, MAX_K>, // positions in the input row
  n: u32,
}

@group(0) @binding(0) var<uniform> sp: SelectParams;
// select_first: src, then its outputs; select_next: src, sel_idx, then `values` and `indices` (above).
@group(0) @binding(2) var<storage, read_write> first_values: array<f32>;
@group(0) @binding(3) var<storage, read_write> first_indices: array<f32>;
@group(0) @binding(2) var<storage, read> sel_idx: array<f32>;

// The first k of chunk q (= row * chunks + chunk) by before_value: a sorted buffer, each element either
// dropped after one comparison with the last kept or inserted. Positions rise, so an element equal to
// a kept one goes after it (stable).
fn keep_chunk(q: u32) -> Kept {
  var kept: Kept;
  kept.n = 0u;
  let r = q / sp.chunks;
  let start = (q % sp.chunks) * sp.chunk;
  let end = min(start + sp.chunk, sp.size);
  for (var i = start; i < end; i++) {
    let v = src[r * sp.size + i];
    if (kept.n == sp.k) {
      if (!before_value(v, i, kept.v[sp.k - 1u], kept.i[sp.k - 1u])) { continue; }
      kept.n = kept.n - 1u;
    }
    var j = kept.n;
    while (j > 0u && before_value(v, i, kept.v[j - 1u], kept.i[j - 1u])) {
      kept.v[j] = kept.v[j - 1u];
      kept.i[j] = kept.i[j - 1u];
      j = j - 1u;
    }
    kept.v[j] = v;
    kept.i[j] = i;
    kept.n = kept.n + 1u;
  }
  return kept;
}

// First level: indices are positions in the row.
@compute @workgroup_size(NAIVE_WG)
fn select_first(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let q = flat_id(gid, nwg, NAIVE_WG);
  if (q >= sp.rows * sp.chunks) { return; }
  let kept = keep_chunk(q);
  for (var c = 0u; c < sp.k; c++) {
    let o = q * sp.k + c;
    if (c < kept.n) {
      first_values[o] = kept.v[c];
      first_indices[o] = f32(kept.i[c]);
    } else {
      first_values[o] = nan_f32();
      first_indices[o] = -1.0;
    }
  }
}

// Later levels: the input is the previous level's candidates, sel_idx their indices in the original row.
// Candidates keep the original order among equal values (chunk c's before chunk c+1's, each chunk's in
// order), so ordering by candidate position orders by original index.
@compute @workgroup_size(NAIVE_WG)
fn select_next(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let q = flat_id(gid, nwg, NAIVE_WG);
  if (q >= sp.rows * sp.chunks) { return; }
  let kept = keep_chunk(q);
  let r = q / sp.chunks;
  for (var c = 0u; c < sp.k; c++) {
    let o = q * sp.k + c;
    if (c < kept.n) {
      values[o] = kept.v[c];
      indices[o] = sel_idx[r * sp.size + kept.i[c]];
    } else {
      values[o] = nan_f32();
      indices[o] = -1.0;
    }
  }
}
