// Statistics kernels: histogram counts between given edges with NumPy's rule (bin b holds edges[b] <= v <
// edges[b+1]; the last bin also holds v == edges[bins]; NaN and values outside the edges are not counted).
// Rungs: naive (an invocation per bin walking all the input, deterministic), atomic (an invocation per
// element, atomicAdd on u32 counts: exact, any order), private (a workgroup counts its slice of the input in
// workgroup memory, then adds its non-zero counts to the global ones: far fewer global atomics).

const WG: u32 = 256u;
// Bins a workgroup can count privately: 16 KiB of workgroup memory, the smallest limit WebGPU allows.
const PRIVATE_BINS: u32 = 4096u;

struct Params {
  n: u32,         // elements of x
  bins: u32,      // number of bins (edges has bins + 1 entries)
  uniform: u32,   // 1 when the edges are evenly spaced: a division guesses the bin
  per_group: u32, // elements each workgroup counts (private rung)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read> edges: array<f32>;

// The largest b < bins with edges[b] <= v (so bins of zero width stay empty, as in NumPy), or -1 when v is
// NaN or outside [edges[0], edges[bins]]. Evenly spaced edges: a guess from a division, then corrected
// by comparisons with the edges themselves (the division may be off by an ulp at an edge). Otherwise (or
// when the division overflows) a binary search.
fn bin_of(v: f32) -> i32 {
  let lo = edges[0];
  let hi = edges[p.bins];
  if (is_nan(v) || v < lo || v > hi) { return -1; }
  let last = p.bins - 1u;
  if (p.uniform != 0u) {
    let t = (v - lo) / (hi - lo) * f32(p.bins);
    if (is_finite(t)) {
      var b = min(u32(max(t, 0.0)), last);
      loop {
        if (b > 0u && v < edges[b]) { b--; } else { break; }
      }
      loop {
        if (b < last && v >= edges[b + 1u]) { b++; } else { break; }
      }
      return i32(b);
    }
  }
  var a = 0u;
  var c = p.bins;
  loop {
    if (c - a <= 1u) { break; }
    let m = (a + c) / 2u;
    if (edges[m] <= v) { a = m; } else { c = m; }
  }
  return i32(a);
}

@group(0) @binding(3) var<storage, read_write> counts: array<atomic<u32>>;

@compute @workgroup_size(WG)
fn histogram_atomic(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, WG);
  if (i >= p.n) { return; }
  let b = bin_of(xs[i]);
  if (b >= 0) { atomicAdd(&counts[u32(b)], 1u); }
}

var<workgroup> local_counts: array<atomic<u32>, PRIVATE_BINS>;

// Workgroup w counts elements [w * per_group, (w + 1) * per_group) into workgroup memory (bins <= 4096).
@compute @workgroup_size(WG)
fn histogram_private(
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  // WebGPU zero-initialises workgroup memory, so counting can start at once.
  let group = wid.x + wid.y * nwg.x;
  let start = group * p.per_group;
  let end = min(start + p.per_group, p.n);
  for (var i = start + lid; i < end; i += WG) {
    let b = bin_of(xs[i]);
    if (b >= 0) { atomicAdd(&local_counts[u32(b)], 1u); }
  }
  workgroupBarrier();
  for (var b = lid; b < p.bins; b += WG) {
    let c = atomicLoad(&local_counts[b]);
    if (c > 0u) { atomicAdd(&counts[b], c); }
  }
}

@group(0) @binding(3) var<storage, read_write> bin_counts: array<f32>;

@compute @workgroup_size(WG)
fn histogram_naive(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let b = flat_id(gid, nwg, WG);
  if (b >= p.bins) { return; }
  var c = 0u;
  for (var i = 0u; i < p.n; i++) {
    if (bin_of(xs[i]) == i32(b)) { c++; }
  }
  bin_counts[b] = f32(c);
}

// ---------------------------------------------------------------------------------------------------------
// Order statistics by radix selection: the value at each requested sorted position (rank) of each row, in
// three counting passes over the 32-bit keys below (11, 11 and 10 bits, high to low) instead of a sort.
// Pass p counts, per (row, rank) slot, the elements whose higher key bits equal the slot's prefix found so
// far, by the next bits; a pick then walks those counts to the bucket holding the rank, extending the
// prefix and the rank within it. Pass 0 counts each row once (every slot's prefix is still empty).

struct SelectParams {
  size: u32,    // elements per row
  rows: u32,
  ranks: u32,   // ranks per row (slots = rows * ranks)
  shift: u32,   // the pass's lowest key bit
  width: u32,   // bits counted in this pass
  first: u32,   // 1 in pass 0
}

@group(0) @binding(0) var<uniform> sp: SelectParams;

// An order-preserving u32 key of a float: negative floats flip all bits, others flip the sign bit, so -0
// sorts before +0; every NaN maps to the largest key (NaN last, as the sort kernels order it).
fn sort_key(v: f32) -> u32 {
  if (is_nan(v)) { return 0xffffffffu; }
  let b = bitcast<u32>(v);
  return select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
}

fn from_sort_key(k: u32) -> f32 {
  return bitcast<f32>(select(~k, k & 0x7fffffffu, (k & 0x80000000u) != 0u));
}

@group(0) @binding(1) var<storage, read> wanted: array<f32>;              // the ranks (float32 integers)
@group(0) @binding(2) var<storage, read_write> slot_state: array<u32>;    // per slot: prefix, rank left

@compute @workgroup_size(WG)
fn select_init(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s = flat_id(gid, nwg, WG);
  if (s >= sp.rows * sp.ranks) { return; }
  slot_state[2u * s] = 0u;
  slot_state[2u * s + 1u] = u32(wanted[s % sp.ranks]);
}

@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read> prefixes: array<u32>;             // slot_state, read
@group(0) @binding(3) var<storage, read_write> bucket_counts: array<atomic<u32>>;

const BUCKETS: u32 = 2048u; // 2^11, the widest pass

@compute @workgroup_size(WG)
fn select_count(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, WG);
  if (i >= sp.rows * sp.size) { return; }
  let row = i / sp.size;
  let key = sort_key(values[i]);
  let bucket = (key >> sp.shift) & ((1u << sp.width) - 1u);
  if (sp.first != 0u) {
    atomicAdd(&bucket_counts[row * sp.ranks * BUCKETS + bucket], 1u);
    return;
  }
  let high = sp.shift + sp.width; // < 32 after pass 0
  for (var j = 0u; j < sp.ranks; j++) {
    let s = row * sp.ranks + j;
    if ((key >> high) == (prefixes[2u * s] >> high)) { atomicAdd(&bucket_counts[s * BUCKETS + bucket], 1u); }
  }
}

@group(0) @binding(1) var<storage, read> counted: array<u32>;
@group(0) @binding(2) var<storage, read_write> picks: array<u32>;          // slot_state, updated

// One invocation per slot: the bucket where the slot's rank falls, appended to its prefix.
@compute @workgroup_size(WG)
fn select_pick(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s = flat_id(gid, nwg, WG);
  if (s >= sp.rows * sp.ranks) { return; }
  let base = select(s, (s / sp.ranks) * sp.ranks, sp.first != 0u) * BUCKETS;
  var rank = picks[2u * s + 1u];
  for (var b = 0u; b < (1u << sp.width); b++) {
    let c = counted[base + b];
    if (rank < c) {
      picks[2u * s] = picks[2u * s] | (b << sp.shift);
      picks[2u * s + 1u] = rank;
      return;
    }
    rank -= c;
  }
}

@group(0) @binding(1) var<storage, read> chosen: array<u32>;              // slot_state, final
@group(0) @binding(2) var<storage, read_write> selected: array<f32>;

@compute @workgroup_size(WG)
fn select_finish(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s = flat_id(gid, nwg, WG);
  if (s >= sp.rows * sp.ranks) { return; }
  selected[s] = from_sort_key(chosen[2u * s]);
}
