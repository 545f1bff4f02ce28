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
